// `npm start` end to end: the launcher with its embedded Postgres, the engine and the built
// editor, driven the way the README tells a newcomer to drive it. Needs `next build` first
// (turbo runs it before this package's tests).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { exampleComponent } from "@weir/testkit/function-examples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let dataDir: string;
const ports = { web: 0, engine: 0, pg: 0 };
let component: Uint8Array;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Platform {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

async function startPlatform(): Promise<Platform> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WEIR_DATA_DIR: dataDir,
    PORT: String(ports.web),
    WEIR_ENGINE_PORT: String(ports.engine),
    WEIR_PG_PORT: String(ports.pg),
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`platform did not start:\n${output}`));
    }, 90_000);
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
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

async function trpc(procedure: string, input: unknown): Promise<unknown> {
  const url = new URL(`http://127.0.0.1:${ports.web}/api/trpc/${procedure}`);
  url.searchParams.set("input", JSON.stringify(input));
  const body = (await (await fetch(url)).json()) as {
    result?: { data: unknown };
    error?: { message: string };
  };
  if (body.error) throw new Error(body.error.message);
  return body.result?.data;
}

beforeAll(async () => {
  // Built here (or read from the cache) so the build does not count against the test's time.
  component = (await exampleComponent("go")).bytes;
  dataDir = await mkdtemp(path.join(tmpdir(), "weir-platform-"));
  // As root, Postgres runs as the "postgres" user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  ports.web = await freePort();
  ports.engine = await freePort();
  ports.pg = await freePort();
}, 300_000);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("serves the editor, runs the README quickstart, and keeps flows and deployments across a restart", async () => {
    const first = await startPlatform();
    let flowId: string;
    try {
      expect(first.output()).toContain(`Weir is running: http://localhost:${ports.web}`);
      const page = await fetch(`http://127.0.0.1:${ports.web}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Weir");

      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["examples/quickstart.mjs", `http://127.0.0.1:${ports.web}`],
        { cwd: root },
      );
      expect(stdout).toMatch(/log: \{"seq":\d+,"doubled":\d+\}/);
      expect(stdout).toContain("deployment running");
      flowId = /flow id: (\S+)/.exec(stdout)?.[1] ?? "";
      expect(flowId).not.toBe("");

      // The README's upload of a WebAssembly component, raw bytes with curl's content type.
      const upload = (body: Uint8Array) =>
        fetch(`http://127.0.0.1:${ports.web}/api/artifacts?name=go-example`, {
          method: "POST",
          headers: { "content-type": "application/wasm" },
          body: Buffer.from(body),
        });
      const refused = await upload(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("a core WebAssembly module, not a component");
      const stored = await upload(component);
      expect(stored.status).toBe(201);
      expect(await stored.json()).toMatchObject({ name: "go-example", size: component.length });
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output()).toContain("[weir] stopped");
    expect(first.output()).not.toMatch(/error/i);

    const second = await startPlatform();
    try {
      const flows = (await trpc("flow.list", undefined)) as { id: string; name: string }[];
      expect(flows.map((f) => f.name)).toContain("quickstart");
      let state: unknown;
      for (let i = 0; i < 100 && state !== "running"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        state = ((await trpc("deployment.status", { flowId })) as { actualState: string } | null)
          ?.actualState;
      }
      expect(state).toBe("running");
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
