import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler, RequestSourceContext, ResponseSinkContext } from "@weir/connectors";
import { errorMessage } from "@weir/domain";
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

/** What the engine gives flows to answer requests; absent where they cannot (Kafka transport). */
export interface RequestService {
  tracker: RequestTracker;
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
  tracker: RequestTracker,
  flowId: string,
  handler: RequestHandler,
  timeoutMs: number,
): StreamRoute {
  return async (req, res, body) => {
    let id = "";
    const stream = ResponseStream.for(req, res, () => id);
    id = tracker.start(flowId, stream, timeoutMs);
    res.on("close", () => {
      if (!stream.done) tracker.cancel(id);
    });
    const headers: Record<string, string> = { [REQUEST_HEADER]: id };
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
        serve: streamRoute(requests.tracker, flowId, handler, options.timeoutMs),
      });
    },
  };
}

/** The sink context's `respond`, when the engine can answer requests. */
export function responseSinkCapability(
  requests: RequestService | undefined,
): Pick<ResponseSinkContext, "respond"> {
  if (!requests) return {};
  const { tracker } = requests;
  return {
    respond: (record) => {
      tracker.deliver(record);
    },
  };
}
