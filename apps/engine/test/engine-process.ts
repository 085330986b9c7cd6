// Starts the real engine as a child process, for integration tests: the bundle the production image
// runs when the engine tests' globalSetup built it, else from source as `npm start` runs it.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { testKeyEnv } from "@weir/testkit/test-keys";
import { ENGINE_NODE_FLAGS } from "../src/node-flags";

const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Set by the engine tests' globalSetup (engine-bundle-setup.ts) to the engine bundled as it ships;
 * without it (a benchmark, a single file run outside that setup) the engine runs from source.
 */
export const ENGINE_BUNDLE_ENV = "WEIR_TEST_ENGINE_BUNDLE";

function engineEntry(): string[] {
  const bundle = process.env[ENGINE_BUNDLE_ENV];
  return bundle ? [bundle] : ["--import", "tsx", "src/main.ts"];
}

export interface EngineProcess {
  child: ChildProcess;
  output: () => string;
  /** Sends SIGTERM and waits for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

export async function startEngine(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<EngineProcess> {
  const child = spawn(process.execPath, [...ENGINE_NODE_FLAGS, ...engineEntry()], {
    cwd: engineDir,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      WEIR_ENGINE_PORT: "0",
      WEIR_RECONCILE_MS: "100",
      // The keys the test's own database handle carries (useTestDatabase), unless the test says otherwise.
      ...testKeyEnv,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      resolve(code);
    }),
  );

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`engine did not become ready:\n${output}`));
      // An engine starts in a few seconds; on a machine running the rest of the suite beside it
      // (tsx compiling the engine's sources, other engines, Kafka, Chromium) it took over 30.
    }, 90_000);
    const check = (): void => {
      if (output.includes("ready; ingest at")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${String(code)} before it was ready:\n${output}`));
    });
  });

  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
