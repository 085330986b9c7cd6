import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler, RequestSourceContext, ResponseSinkContext } from "@weir/connectors";
import { errorMessage } from "@weir/domain";
import type { RemoteRequests } from "./kafka-replies";
import { DEADLINE_HEADER, REPLY_HEADER } from "./request-credit";
import { REQUEST_HEADER } from "./request-tracker";
import type { RequestTracker } from "./request-tracker";
import { ResponseStream } from "./response-stream";

/** Answers one request on a route whose body was already checked and parsed. */
export type StreamRoute = (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;

export interface StreamRouteOptions {
  maxBodyBytes: number;
  /** Accept requests without the node's ingest token. */
  public: boolean;
  serve: StreamRoute;
}

/** What the engine gives flows to answer requests. */
export interface RequestService {
  tracker: RequestTracker;
  /**
   * On the Kafka transport: how records of a request processed on any engine reach the engine
   * holding it (kafka-replies.ts). Absent on the in-process transport, where one engine runs all.
   */
  remote?: RemoteRequests;
  /** Routes `POST /ingest/<flowId>/<nodeId>` to `serve` (unrouted by the ingest's unregister). */
  route(flowId: string, nodeId: string, options: StreamRouteOptions): void;
}

/**
 * Serves one request: opens it in the tracker, hands the body to the source with the request's
 * id to stamp on its records, and leaves the answer to the tracker (records as they reach a
 * response sink, the end once all have left the flow, 504 on timeout). A client that goes away
 * cancels the request's remaining work.
 */
export function streamRoute(
  requests: RequestService,
  flowId: string,
  handler: RequestHandler,
  timeoutMs: number,
): StreamRoute {
  const { tracker, remote } = requests;
  return async (req, res, body) => {
    if (remote) {
      try {
        await remote.ready();
      } catch (error) {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: errorMessage(error) }));
        return;
      }
    }
    let id = "";
    const stream = ResponseStream.for(req, res, () => id);
    id = tracker.start(flowId, stream, timeoutMs);
    res.on("close", () => {
      if (!stream.done) tracker.cancel(id);
    });
    const headers: Record<string, string> = { [REQUEST_HEADER]: id };
    // Across engines: where the answer goes, and when any engine may drop the request's records unasked.
    if (remote) {
      headers[REPLY_HEADER] = remote.address;
      headers[DEADLINE_HEADER] = String(tracker.deadlineOf(id) ?? Date.now() + timeoutMs);
    }
    const traceparent = req.headers.traceparent;
    if (typeof traceparent === "string") headers.traceparent = traceparent;
    try {
      await handler(body, headers);
    } catch (error) {
      tracker.fail(id, 400, errorMessage(error));
    } finally {
      tracker.seal(id);
    }
  };
}

/** The source context's `serveRequests`, when the engine can answer requests. */
export function requestSourceCapability(
  requests: RequestService | undefined,
  flowId: string,
  nodeId: string,
): Pick<RequestSourceContext, "serveRequests"> {
  if (!requests) return {};
  return {
    serveRequests: (handler, options) => {
      requests.route(flowId, nodeId, {
        maxBodyBytes: options.maxBodyBytes,
        public: options.public,
        serve: streamRoute(requests, flowId, handler, options.timeoutMs),
      });
    },
  };
}

/** The sink context's `respond`, when the engine can answer requests. */
export function responseSinkCapability(
  requests: RequestService | undefined,
  nodeId: string,
): Pick<ResponseSinkContext, "respond"> {
  if (!requests) return {};
  const { tracker, remote } = requests;
  return {
    respond: remote
      ? (record) => {
          remote.answer(record, nodeId);
        }
      : (record) => {
          tracker.deliver(record);
          return tracker.whenWritable(record);
        },
  };
}
