import type { WeirRecord } from "@weir/domain";
import type { SinkContext, SourceContext } from "../plugin";

/**
 * Takes a request's body (parsed JSON, or a ByteBody for one sent as bytes) and the headers to
 * stamp on each of its records (the request's correlation id, its trace context); resolves once
 * its records are accepted downstream.
 */
export type RequestHandler = (body: unknown, headers: Readonly<Record<string, string>>) => Promise<void>;

/** The header the engine stamps with a request's correlation id: a byte stream's id. */
export const REQUEST_ID_HEADER = "weir-request-id";
export { STREAM_OFFSET_HEADER } from "../byte-stream/emit-chunks";

export interface RequestServeOptions {
  maxBodyBytes: number;
  timeoutMs: number;
  /** Accept requests without the node's ingest token. */
  public: boolean;
}

/**
 * What an engine that can answer requests adds to a source's context: it routes
 * `POST /ingest/<flowId>/<nodeId>` to the handler and keeps the request open for the answer.
 * Optional: an engine (or transport) that cannot answer leaves it out.
 */
export interface RequestSourceContext extends SourceContext {
  serveRequests?: (handler: RequestHandler, options: RequestServeOptions) => void;
}

/** What such an engine adds to a sink's context: writes a record to the answer of the request it belongs to. */
export interface ResponseSinkContext extends SinkContext {
  /** Resolves, when it returns a promise, once the answer can take more (its client reads slowly). */
  respond?: (record: WeirRecord) => void | Promise<void>;
}

/** Why a request/response node cannot run here. */
export const REQUESTS_UNAVAILABLE =
  "this engine cannot answer requests here: it was started without request/response support";
