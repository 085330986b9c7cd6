import type { FunctionLogger } from "@weir/domain";

/** Ids a log line is about; JSON logs carry them as fields (`flow`, `deployment`, `node`). */
export type LogFields = Readonly<Record<string, string>>;

export type Logger = FunctionLogger & { child(scope: string, fields?: LogFields): Logger };

export interface LoggerOptions {
  /** Only errors (tests that start many engines). */
  quiet?: boolean;
  /** `text` (default): a line for people; `json`: one object per line, for log collectors. */
  format?: "text" | "json";
  debug?: boolean;
}

/** Line-per-event logs on stdout/stderr, with the scope (and, as JSON, the ids) they come from. */
export function createLogger(scope: string, options: LoggerOptions = {}, fields: LogFields = {}): Logger {
  const write = (level: string, message: string): void => {
    if (options.quiet && level !== "error") return;
    const time = new Date().toISOString();
    const line =
      options.format === "json"
        ? `${JSON.stringify({ time, level, scope, ...fields, msg: message })}\n`
        : `${time} ${level.padEnd(5)} [${scope}] ${message}\n`;
    if (level === "error" || level === "warn") process.stderr.write(line);
    else process.stdout.write(line);
  };
  return {
    debug: (message) => {
      if (options.debug) write("debug", message);
    },
    info: (message) => {
      write("info", message);
    },
    warn: (message) => {
      write("warn", message);
    },
    error: (message) => {
      write("error", message);
    },
    child: (child, more = {}) => createLogger(`${scope}/${child}`, options, { ...fields, ...more }),
  };
}
