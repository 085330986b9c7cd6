// The CLI's environment, read in this one place.
import { homedir } from "node:os";
import { join } from "node:path";

export interface CliEnv {
  /** Where contexts are kept: WEIR_CONFIG, else $XDG_CONFIG_HOME/weir/config.json, else ~/.config/weir/config.json. */
  configFile: string;
  /** WEIR_TOKEN: an API token that takes precedence over the context's. */
  token?: string;
}

export function readCliEnv(source: Readonly<Record<string, string | undefined>> = process.env): CliEnv {
  const token = source.WEIR_TOKEN?.trim();
  const withToken = (configFile: string): CliEnv => (token ? { configFile, token } : { configFile });
  const explicit = source.WEIR_CONFIG?.trim();
  if (explicit) return withToken(explicit);
  const base = source.XDG_CONFIG_HOME?.trim() || join(homedir(), ".config");
  return withToken(join(base, "weir", "config.json"));
}
