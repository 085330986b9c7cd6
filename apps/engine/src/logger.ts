import type { FunctionLogger } from "@weir/domain";

export type Logger = FunctionLogger & { child(scope: string): Logger };

/** Line-per-event logs on stdout/stderr, prefixed with the scope they come from. */
export function createLogger(scope: string, quiet = false): Logger {
  const write = (level: string, message: string): void => {
    if (quiet && level !== "error") return;
    const line = `${new Date().toISOString()} ${level.padEnd(5)} [${scope}] ${message}\n`;
    if (level === "error" || level === "warn") process.stderr.write(line);
    else process.stdout.write(line);
  };
  return {
    debug: (message) => {
      if (process.env.WEIR_DEBUG) write("debug", message);
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
    child: (child) => createLogger(`${scope}/${child}`, quiet),
  };
}
