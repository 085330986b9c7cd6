import type { SourcePlugin } from "../plugin";
import { recordsFromBody } from "../http-ingest/parse";
import type { RequestSourceContext } from "./capability";
import { REQUESTS_UNAVAILABLE } from "./capability";
import { httpRequestNodeType } from "./definition";
import type { HttpRequestConfig } from "./definition";

/** Every request's records carry its headers (correlation id, trace); the engine streams the answer. */
export const httpRequestSource: SourcePlugin<HttpRequestConfig> = {
  definition: httpRequestNodeType,
  async run(config, ctx: RequestSourceContext) {
    if (!ctx.serveRequests) throw new Error(REQUESTS_UNAVAILABLE);
    ctx.serveRequests(
      async (body, headers) => {
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
