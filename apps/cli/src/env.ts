// The CLI's environment, read in this one place.
import { homedir } from "node:os";
import { join } from "node:path";

export interface CliEnv {
  /** Where contexts are kept: WEIR_CONFIG, else $XDG_CONFIG_HOME/weir/config.json, else ~/.config/weir/config.json. */
  configFile: string;
}

export function readCliEnv(source: Readonly<Record<string, string | undefined>> = process.env): CliEnv {
  const explicit = source.WEIR_CONFIG?.trim();
  if (explicit) return { configFile: explicit };
  const base = source.XDG_CONFIG_HOME?.trim() || join(homedir(), ".config");
  return { configFile: join(base, "weir", "config.json") };
}
