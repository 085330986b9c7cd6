import type { SourcePlugin } from "../plugin";
import { recordsFromBody } from "../http-ingest/parse";
import { isByteBody } from "../byte-stream/byte-body";
import { emitChunks } from "../byte-stream/emit-chunks";
import type { RequestSourceContext } from "./capability";
import { REQUEST_ID_HEADER, REQUESTS_UNAVAILABLE } from "./capability";
import { httpRequestNodeType } from "./definition";
import type { HttpRequestConfig } from "./definition";

/**
 * Every request's records carry its headers (correlation id, trace); the engine streams the
 * answer. A body sent as bytes becomes an ordered stream of chunk records of `chunkBytes` each,
 * keyed by the request's id (the stream's id, so a partitioned edge keeps their order), emitted
 * one at a time as the body arrives: the next is read only once the flow has taken the last.
 */
export const httpRequestSource: SourcePlugin<HttpRequestConfig> = {
  definition: httpRequestNodeType,
  async run(config, ctx: RequestSourceContext) {
    if (!ctx.serveRequests) throw new Error(REQUESTS_UNAVAILABLE);
    ctx.serveRequests(
      async (body, headers) => {
        if (isByteBody(body)) {
          const streamId = headers[REQUEST_ID_HEADER] ?? crypto.randomUUID();
          await emitChunks(body, config.chunkBytes, streamId, headers, (records) => ctx.emit(records));
          return;
        }
        const records = recordsFromBody(body, Date.now()).map((record) => ({
          ...record,
          headers: { ...record.headers, ...headers },
        }));
        await ctx.emit(records);
      },
      { maxBodyBytes: config.maxBodyBytes, timeoutMs: config.timeoutMs, public: config.public },
    );
    // The source lives as long as its deployment; the engine unroutes it on stop.
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else
        ctx.signal.addEventListener(
          "abort",
          () => {
            resolve();
          },
          { once: true },
        );
    });
  },
};
