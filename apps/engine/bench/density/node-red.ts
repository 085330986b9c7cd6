// Node-RED for the density benchmark: installed from npm into .weir/node-red on first use (not a
// dependency of the repo: only this benchmark runs it), started as a child process from a temp
// userDir with the editor and HTTP nodes off, running N flows of inject (every 0.1 s) → function
// (the transform) → function (the sink). One more flow reports, once a second, how many records
// reached the sinks, so the benchmark can check Node-RED did the same work as the engine.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const NODE_RED_VERSION = "4";
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const installDir = path.join(repoRoot, ".weir", "node-red");
const redJs = path.join(installDir, "node_modules", "node-red", "red.js");

/** Installs Node-RED into .weir/node-red unless it is there; returns its version. */
export async function ensureNodeRed(log: (line: string) => void): Promise<string> {
  if (!existsSync(redJs)) {
    log(`installing node-red@${NODE_RED_VERSION} into ${installDir} ...`);
    const npm = spawnSync(
      "npm",
      [
        "install",
        "--prefix",
        installDir,
        "--no-audit",
        "--no-fund",
        "--no-save",
        `node-red@${NODE_RED_VERSION}`,
      ],
      { stdio: "inherit" },
    );
    if (npm.status !== 0)
      throw new Error(`installing node-red failed (npm exited with ${String(npm.status)})`);
  }
  const pkg = JSON.parse(
    await readFile(path.join(installDir, "node_modules", "node-red", "package.json"), "utf8"),
  ) as { version: string };
  return pkg.version;
}

/**
 * The same work as the engine's generator → js → log flow: a counter, a small transform, a sink.
 * Idle flows send one record when they start and none after (the engine's idle generator too).
 */
function flows(count: number, idle: boolean): unknown[] {
  const nodes: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const tab = `tab${String(i)}`;
    nodes.push(
      { id: tab, type: "tab", label: `flow ${String(i)}` },
      {
        id: `${tab}-inject`,
        type: "inject",
        z: tab,
        props: [{ p: "payload" }],
        repeat: idle ? "" : "0.1",
        once: true,
        onceDelay: 0.1,
        payload: "",
        payloadType: "date",
        wires: [[`${tab}-fn`]],
      },
      {
        id: `${tab}-fn`,
        type: "function",
        z: tab,
        func: [
          'const seq = (context.get("seq") || 0) + 1;',
          'context.set("seq", seq);',
          "msg.payload = { seq, now: new Date(msg.payload).toISOString(), doubled: seq * 2 };",
          "return msg;",
        ].join("\n"),
        outputs: 1,
        wires: [[`${tab}-sink`]],
      },
      {
        id: `${tab}-sink`,
        type: "function",
        z: tab,
        func: 'global.set("received", (global.get("received") || 0) + 1);\nreturn null;',
        outputs: 0,
        wires: [],
      },
    );
  }
  nodes.push(
    { id: "count", type: "tab", label: "count" },
    {
      id: "count-inject",
      type: "inject",
      z: "count",
      props: [{ p: "payload" }],
      repeat: "1",
      once: true,
      onceDelay: 0.1,
      payload: "",
      payloadType: "date",
      wires: [["count-fn"]],
    },
    {
      id: "count-fn",
      type: "function",
      z: "count",
      func: 'node.warn("density-received " + String(global.get("received") || 0));\nreturn null;',
      outputs: 0,
      wires: [],
    },
  );
  return nodes;
}

export interface NodeRedProcess {
  pid: number;
  /** Records the sinks received so far (as last reported, at most a second old). */
  received(): number;
  stop(): Promise<void>;
}

/** Starts Node-RED with `count` flows (idle: one record each) and resolves once records arrive. */
export async function startNodeRed(count: number, idle = false): Promise<NodeRedProcess> {
  const userDir = await mkdtemp(path.join(tmpdir(), "weir-density-node-red-"));
  await writeFile(path.join(userDir, "flows.json"), JSON.stringify(flows(count, idle)));
  await writeFile(
    path.join(userDir, "settings.js"),
    `module.exports = {
  flowFile: "flows.json",
  uiPort: 0,
  httpAdminRoot: false,
  httpNodeRoot: false,
  credentialSecret: false,
  logging: { console: { level: "info", metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false } },
};
`,
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [redJs, "--userDir", userDir, "--settings", path.join(userDir, "settings.js")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  // Written by the output handler; an object, so the wait loop below reads it afresh.
  const seen = { received: 0, reported: false };
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const match of output.matchAll(/density-received (\d+)/g)) {
      seen.received = Number(match[1]);
      seen.reported = true;
    }
    // Keep only the tail: the count lines arrive every second for the whole run.
    if (output.length > 100_000) output = output.slice(-10_000);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(userDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  // With no flows only the count flow runs: its first report says Node-RED is up.
  while (!seen.reported || (count > 0 && seen.received === 0)) {
    if (child.exitCode !== null) throw new Error(`node-red exited before its flows ran:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`node-red's flows delivered nothing within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (child.pid === undefined) throw new Error("node-red has no pid");
  return { pid: child.pid, received: () => seen.received, stop };
}
