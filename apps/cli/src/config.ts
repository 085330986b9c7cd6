// Contexts: named servers (`weir context add local --url http://localhost:3000`), one of them
// current, kept as JSON in the config file (see env.ts).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CliError, EXIT } from "./errors";

export interface Context {
  url: string;
  /** An API token (`weir_…`) sent as `Authorization: Bearer`; the config file is mode 0600. */
  token?: string;
}

export interface CliConfig {
  current: string | null;
  contexts: Record<string, Context>;
}

export function loadConfig(file: string): CliConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { current: null, contexts: {} };
    throw new CliError(EXIT.usage, `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<CliConfig>;
    return { current: parsed.current ?? null, contexts: parsed.contexts ?? {} };
  } catch (error) {
    throw new CliError(EXIT.usage, `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export function saveConfig(file: string, config: CliConfig): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Checks a server URL given to `context add` or `--url`. */
export function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(EXIT.usage, `not a URL: ${raw} (expected e.g. http://localhost:3000)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(EXIT.usage, `not an http(s) URL: ${raw}`);
  }
  return url.toString().replace(/\/+$/, "");
}

/** The server to talk to: `--url`, else the named or current context. */
export function resolveServer(
  config: CliConfig,
  options: { url?: string; context?: string },
): { url: string; context: string | null; token?: string } {
  if (options.url) return { url: normaliseUrl(options.url), context: null };
  const name = options.context ?? config.current;
  if (name === null) {
    throw new CliError(
      EXIT.usage,
      "no context: add one with `weir context add local --url http://localhost:3000`",
    );
  }
  const context = config.contexts[name];
  if (!context) throw new CliError(EXIT.usage, `no context named ${name} (see \`weir context list\`)`);
  return context.token
    ? { url: context.url, context: name, token: context.token }
    : { url: context.url, context: name };
}
