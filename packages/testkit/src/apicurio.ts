// A real Apicurio Registry for tests (its Confluent-compatible API), driven through
// scripts/apicurio.sh so dev and tests share one setup. Storage is in memory: every start is empty.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { ephemeralPort } from "./ports";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const script = fileURLToPath(new URL("../../../scripts/apicurio.sh", import.meta.url));

export interface ApicurioHandle {
  /** Base URL of the Confluent-compatible API (`…/apis/ccompat/v7`), what a registry client is given. */
  url: string;
  stop: () => Promise<void>;
}

function apicurioSh(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", [script, ...args], { cwd: repoRoot, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `timed out after ${timeoutMs} ms` : `failed: ${err.message}`;
        reject(new Error(`scripts/apicurio.sh ${args.join(" ")} ${why}\n${stderr.trim()}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

export async function startApicurio(opts: { port?: number } = {}): Promise<ApicurioHandle> {
  // A cold fetch packages the registry with Maven (~1.5 min with downloads); later runs return at once.
  await apicurioSh(["fetch"], 10 * 60_000);
  const port = opts.port ?? (await ephemeralPort());
  const portArgs = ["--port", String(port)];
  await apicurioSh(["start", ...portArgs], 90_000);
  let stopped = false;
  return {
    url: `http://127.0.0.1:${String(port)}/apis/ccompat/v7`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await apicurioSh(["stop", ...portArgs], 60_000);
      await rm(`${repoRoot}.weir/apicurio/run-${String(port)}`, { recursive: true, force: true });
    },
  };
}
