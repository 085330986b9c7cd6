// `npm start` end to end: the launcher with its embedded Postgres, the engine and the built
// editor, driven the way the README tells a newcomer to drive it. Needs `next build` first
// (turbo runs it before this package's tests).
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { exampleComponent } from "@weir/testkit/function-examples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform, PlatformPorts } from "./support/platform";
import { adminTokenOf, freePorts, repoRoot as root, startPlatform as start } from "./support/platform";

let dataDir: string;
let ports: PlatformPorts;
let component: Uint8Array;

const startPlatform = (): Promise<Platform> => start({ dataDir, ports });

async function trpc(procedure: string, input: unknown): Promise<unknown> {
  const url = new URL(`http://127.0.0.1:${ports.web}/api/trpc/${procedure}`);
  // A procedure without input gets no `input` parameter (the API refuses `input=undefined`).
  if (input !== undefined) url.searchParams.set("input", JSON.stringify(input));
  const headers = { authorization: `Bearer ${adminTokenOf(dataDir)}` };
  const body = (await (await fetch(url, { headers })).json()) as {
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
  ports = await freePorts();
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
        { cwd: root, env: { ...process.env, WEIR_DATA_DIR: dataDir } },
      );
      expect(stdout).toMatch(/log: \{"seq":\d+,"doubled":\d+\}/);
      expect(stdout).toContain("deployment running");
      flowId = /flow id: (\S+)/.exec(stdout)?.[1] ?? "";
      expect(flowId).not.toBe("");

      // The README's upload of a WebAssembly component, raw bytes with curl's content type.
      const upload = (body: Uint8Array) =>
        fetch(`http://127.0.0.1:${ports.web}/api/artifacts?name=go-example`, {
          method: "POST",
          headers: { "content-type": "application/wasm", authorization: `Bearer ${adminTokenOf(dataDir)}` },
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
