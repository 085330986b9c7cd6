import type { SinkPlugin } from "../plugin";
import { logSinkNodeType } from "./definition";
import type { LogSinkConfig } from "./definition";

export const logSink: SinkPlugin<LogSinkConfig> = {
  definition: logSinkNodeType,
  open(config, ctx) {
    return Promise.resolve({
      // Done once stored, so the input is acked (its Kafka offset committed) only after that.
      write: (record) => ctx.retain([record], config.keep),
      writeBatch: (records) => ctx.retain(records, config.keep),
      // `retain` buffers the records at once, in call order, and resolves once they are stored.
      overlapsBatches: true,
      close: () => Promise.resolve(),
    });
  },
};
