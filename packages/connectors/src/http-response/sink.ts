import type { SinkPlugin } from "../plugin";
import type { ResponseSinkContext } from "../http-request/capability";
import { REQUESTS_UNAVAILABLE } from "../http-request/capability";
import { httpResponseNodeType } from "./definition";
import type { HttpResponseConfig } from "./definition";

/**
 * Hands each record to the engine, which writes it to its request's open answer. A record whose
 * request is gone (answered, timed out, client left) or that came from elsewhere (a replay) is
 * written nowhere; it still counts as written.
 */
export const httpResponseSink: SinkPlugin<HttpResponseConfig> = {
  definition: httpResponseNodeType,
  open(_config, ctx: ResponseSinkContext) {
    const respond = ctx.respond;
    if (!respond) return Promise.reject(new Error(REQUESTS_UNAVAILABLE));
    return Promise.resolve({
      write: async (record) => {
        await respond(record);
      },
      writeBatch: async (records) => {
        for (const record of records) {
          // Waits while the client reads slower than the flow writes, so the answer's buffer stays small.
          const writable = respond(record);
          if (writable) await writable;
        }
      },
      close: () => Promise.resolve(),
    });
  },
};
