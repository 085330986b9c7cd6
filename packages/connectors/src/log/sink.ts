import type { SinkPlugin } from "../plugin";
import { logSinkNodeType } from "./definition";
import type { LogSinkConfig } from "./definition";

export const logSink: SinkPlugin<LogSinkConfig> = {
  definition: logSinkNodeType,
  open(config, ctx) {
    return Promise.resolve({
      write(record) {
        ctx.retain([record], config.keep);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    });
  },
};
