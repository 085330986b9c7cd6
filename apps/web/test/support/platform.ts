// Starts the whole platform the way a newcomer does (`npm start`: scripts/start.ts with its
// embedded Postgres, the engine and the built editor) on free ports, for the tests that need it
// all. Needs `next build` first (turbo runs it before this package's tests).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ephemeralPort } from "@weir/testkit/ports";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

export interface PlatformPorts {
  web: number;
  engine: number;
  pg: number;
}

export interface Platform {
  child: ChildProcess;
  /** Everything the launcher and its children printed so far. */
  output: () => string;
  /** SIGTERM, as Ctrl-C would; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** The admin API token `npm start` wrote into the data directory (what scripts use). */
  token(): string;
}

/** The admin token `npm start` keeps in a data directory. */
export function adminTokenOf(dataDir: string): string {
  return readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
}

export async function freePorts(): Promise<PlatformPorts> {
  return { web: await ephemeralPort(), engine: await ephemeralPort(), pg: await ephemeralPort() };
}

/** Resolves once the editor and the engine both said they are ready; rejects with the output otherwise. */
export async function startPlatform(options: {
  dataDir: string;
  ports: PlatformPorts;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<Platform> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    WEIR_DATA_DIR: options.dataDir,
    PORT: String(options.ports.web),
    WEIR_ENGINE_PORT: String(options.ports.engine),
    WEIR_PG_PORT: String(options.ports.pg),
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(
        new Error(`platform did not start within ${String(options.timeoutMs ?? 90_000)} ms:\n${output}`),
      );
    }, options.timeoutMs ?? 90_000);
    const poll = setInterval(() => {
      if (output.includes("Weir is running: http://localhost:") && output.includes("ready; ingest at")) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`platform exited with ${String(code)}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    token: () => adminTokenOf(options.dataDir),
    stop: () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
