import type { SourcePlugin } from "../plugin";
import { httpIngestNodeType } from "./definition";
import type { HttpIngestConfig } from "./definition";
import { recordsFromBody } from "./parse";
import { isByteBody } from "../byte-stream/byte-body";
import { emitChunks } from "../byte-stream/emit-chunks";

export const httpIngestSource: SourcePlugin<HttpIngestConfig> = {
  definition: httpIngestNodeType,
  async run(config, ctx) {
    ctx.serveIngest(
      async (body) => {
        if (isByteBody(body)) {
          // An `application/octet-stream` body: a stream of chunks with an id of its own.
          const accepted = await emitChunks(body, config.chunkBytes, crypto.randomUUID(), {}, (records) =>
            ctx.emit(records),
          );
          return { accepted };
        }
        const records = recordsFromBody(body, Date.now());
        await ctx.emit(records);
        return { accepted: records.length };
      },
      { maxBodyBytes: config.maxBodyBytes, public: config.public },
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
