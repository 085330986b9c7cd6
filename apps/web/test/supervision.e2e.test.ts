// `npm start` supervises its children (issue 10, finding 6): a SIGKILLed engine is restarted by
// the launcher while Postgres and the editor stay up, and a deployed flow resumes with nothing
// lost. Also the editor's Host check (finding 4). Needs `next build` first (turbo runs it
// before this package's tests).
import { chmod, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlatformPorts } from "./support/platform";
import { adminTokenOf, freePorts, startPlatform } from "./support/platform";

let dataDir: string;
let ports: PlatformPorts;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "weir-supervision-"));
  // As root, Postgres runs as the "postgres" user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  ports = await freePorts();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function trpc(procedure: string, input: unknown, method: "GET" | "POST" = "GET"): Promise<unknown> {
  const url = new URL(`http://127.0.0.1:${ports.web}/api/trpc/${procedure}`);
  if (method === "GET") url.searchParams.set("input", JSON.stringify(input));
  const authorization = `Bearer ${adminTokenOf(dataDir)}`;
  const response = await fetch(url, {
    method,
    ...(method === "POST"
      ? { headers: { "content-type": "application/json", authorization }, body: JSON.stringify(input) }
      : { headers: { authorization } }),
  });
  const body = (await response.json()) as { result?: { data: unknown }; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result?.data;
}

/** Polls `probe` every 200 ms until it returns something, or fails naming `what` after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ""}`,
  );
}

/** Pids of every process below `root`, from /proc (Linux). */
async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

async function enginePid(launcher: number): Promise<number | undefined> {
  for (const pid of await descendants(launcher)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    // `npm start` runs the engine bundled (.weir/bundle-<port>/main.js); `npm start -- --dev` from source.
    if (cmdline.split("\0").some((arg) => arg === "src/main.ts" || arg.endsWith("/main.js"))) return pid;
  }
  return undefined;
}

/** GET with a Host header of our choosing, as a page on a rebound DNS name would send it. */
function getWithHost(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/api/trpc/flow.list", headers: { host }, agent: false },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const BATCH = 100;

describe("npm start supervision", () => {
  it("restarts a SIGKILLed engine while Postgres and the editor stay up, and the flow loses nothing", async () => {
    const platform = await startPlatform({ dataDir, ports });
    try {
      // The web app answers only to its own names (DNS rebinding, finding 4).
      const rebound = await getWithHost(ports.web, `rebind.attacker.example:${ports.web}`);
      expect(rebound.status).toBe(421);
      expect(rebound.body).toContain("add it to WEIR_ALLOWED_HOSTS");
      // A known host reaches the API, which then asks who is calling.
      expect((await getWithHost(ports.web, `localhost:${ports.web}`)).status).toBe(401);

      const flow = (await trpc(
        "flow.create",
        {
          name: "survives a killed engine",
          nodes: [
            { id: "in", kind: "source", type: "http-ingest", config: { public: true } },
            { id: "out", kind: "sink", type: "log", config: { keep: 1000 } },
          ],
          edges: [{ id: "e", from: { node: "in", port: "out" }, to: { node: "out" } }],
        },
        "POST",
      )) as { id: string };
      await trpc("deployment.deploy", { flowId: flow.id }, "POST");
      const ingest = `http://127.0.0.1:${ports.engine}/ingest/${flow.id}/in`;
      /** Posts records n ∈ [from, to) until the engine accepts them (it may be restarting). */
      const send = (from: number, to: number): Promise<true> => {
        const batch = Array.from({ length: to - from }, (_, i) => ({ n: from + i }));
        return waitFor(
          `the engine to accept records ${from}…${to - 1}`,
          async () => {
            const response = await fetch(ingest, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(batch),
            });
            return response.status === 200 ? true : undefined;
          },
          60_000,
        );
      };
      const logged = async (): Promise<number[]> => {
        const rows = (await trpc("logs.read", { flowId: flow.id, nodeId: "out", limit: 1000 })) as {
          record: { value: { n: number } };
        }[];
        return [...new Set(rows.map((row) => row.record.value.n))].sort((a, b) => a - b);
      };
      const untilLogged = (count: number): Promise<number[]> =>
        waitFor(
          `${count} records in the log`,
          async () => {
            const seen = await logged();
            return seen.length >= count ? seen : undefined;
          },
          60_000,
        );

      await send(0, BATCH);
      expect(await untilLogged(BATCH)).toEqual([...Array(BATCH).keys()]);

      const launcher = platform.child.pid ?? 0;
      const first = await enginePid(launcher);
      expect(first, "the engine process under npm start").toBeDefined();
      process.kill(first ?? 0, "SIGKILL");
      await waitFor(
        "the launcher to report the engine's death",
        () => Promise.resolve(platform.output().includes("engine exited (SIGKILL)") ? true : undefined),
        10_000,
      );
      // Postgres and the editor are still up while the engine is down or restarting.
      expect((await fetch(`http://127.0.0.1:${ports.web}/`)).status).toBe(200);
      expect(await logged()).toHaveLength(BATCH);
      expect(platform.child.exitCode).toBeNull();

      const second = await waitFor(
        "a new engine process",
        async () => {
          const pid = await enginePid(launcher);
          return pid !== undefined && pid !== first ? pid : undefined;
        },
        30_000,
      );
      expect(second).not.toBe(first);
      // The restarted engine takes the deployment back and the flow goes on: nothing from
      // before the kill is lost, everything after it arrives.
      await send(BATCH, 2 * BATCH);
      expect(await untilLogged(2 * BATCH)).toEqual([...Array(2 * BATCH).keys()]);
      expect(platform.output()).toContain("restarting engine");
      expect(platform.output().split("ready; ingest at").length).toBe(3);
      expect(platform.output()).toContain("[weir] engine is back");
    } catch (error) {
      const message = error instanceof Error ? error.message : JSON.stringify(error);
      throw new Error(`${message}\n--- npm start printed:\n${platform.output()}`, { cause: error });
    } finally {
      expect(await platform.stop()).toBe(0);
    }
    expect(platform.output()).toContain("[weir] stopped");
  });
});
