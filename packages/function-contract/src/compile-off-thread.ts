// Compiles function code on a worker thread with a time limit. The API checks code on every save
// and trigger; TypeScript's transpiler is synchronous, so on the request thread a slow compile
// would stall every other client. One worker, started on first use, takes jobs one at a time; a
// job over its time limit ends the worker (a new one starts for the next job).
import { Worker } from "node:worker_threads";
import type { CodeProblem, FunctionSource } from "@weir/domain";
import { compile } from "./compile";

export interface OffThreadOptions {
  /** Longest a compile may run once started; it then fails with a problem saying so. */
  timeoutMs: number;
}

interface Job {
  id: number;
  source: FunctionSource;
  timeoutMs: number;
  resolve(problems: CodeProblem[]): void;
}

// Bundled (the web app's build), `new Worker(new URL(…))` is rewritten to the worker's built
// chunk. Run from TypeScript source (tests, tsx) that entry is a .ts file Node cannot load, so
// the worker is started again through tsx. Whichever way works is kept for later workers.
type Mode = "direct" | "tsx";
const TS_BOOT = `const { workerData } = require("node:worker_threads");
import("tsx/esm/api").then((tsx) => tsx.tsImport(workerData.entry, workerData.parent));`;
const READY_TIMEOUT_MS = 60_000;

function spawn(mode: Mode): Worker {
  if (mode === "direct") return new Worker(new URL("./compile-worker.ts", import.meta.url));
  return new Worker(TS_BOOT, {
    eval: true,
    workerData: { entry: new URL("./compile-worker.ts", import.meta.url).href, parent: import.meta.url },
  });
}

let mode: Mode | undefined;
let worker: Worker | undefined;
let ready: Promise<boolean> | undefined;
let unavailable = false;
const queue: Job[] = [];
let running: { job: Job; timer: NodeJS.Timeout; worker: Worker } | undefined;
let nextId = 1;

async function startWorker(): Promise<boolean> {
  for (const candidate of mode ? [mode] : (["direct", "tsx"] as const)) {
    if (await tryStart(candidate)) {
      mode = candidate;
      return true;
    }
  }
  return false;
}

/** Starts a worker and resolves once it is ready, or false when it cannot start. */
function tryStart(candidate: Mode): Promise<boolean> {
  let w: Worker;
  try {
    w = spawn(candidate);
  } catch {
    return Promise.resolve(false);
  }
  w.unref();
  return new Promise<boolean>((resolve) => {
    let started = false;
    const startTimer = setTimeout(() => {
      resolve(false);
      void w.terminate();
    }, READY_TIMEOUT_MS);
    startTimer.unref();
    w.on("message", (message: { ready?: boolean; id?: number; problems?: CodeProblem[] }) => {
      if (message.ready) {
        started = true;
        clearTimeout(startTimer);
        worker = w;
        resolve(true);
        return;
      }
      if (running && running.job.id === message.id) {
        clearTimeout(running.timer);
        running.job.resolve(message.problems ?? []);
        running = undefined;
        pump();
      }
    });
    w.on("error", () => {
      // Not started: the caller tries the next way, or compiles on this thread.
      if (!started) {
        clearTimeout(startTimer);
        resolve(false);
      }
    });
    w.on("exit", () => {
      if (!started) {
        clearTimeout(startTimer);
        resolve(false);
        return;
      }
      if (worker === w) {
        worker = undefined;
        ready = undefined;
      }
      if (running?.worker === w) {
        const { job, timer } = running;
        clearTimeout(timer);
        running = undefined;
        job.resolve([{ message: "the compiler stopped unexpectedly; try again", line: 1, column: 1 }]);
      }
      pump();
    });
  });
}

function pump(): void {
  if (running || queue.length === 0) return;
  ready ??= startWorker();
  void ready.then((ok) => {
    if (running || queue.length === 0) return;
    const job = queue.shift() as Job;
    if (!ok || !worker) {
      unavailable = true;
      job.resolve(compile(job.source).problems);
      pump();
      return;
    }
    const current = worker;
    const timer = setTimeout(() => {
      running = undefined;
      worker = undefined;
      ready = undefined;
      job.resolve([
        {
          message: `compiling took longer than the limit of ${job.timeoutMs} ms; make the code smaller`,
          line: 1,
          column: 1,
        },
      ]);
      void current.terminate();
    }, job.timeoutMs);
    running = { job, timer, worker: current };
    current.postMessage({ id: job.id, source: job.source });
  });
}

/** The problems `compile` finds in `source`, found on a worker thread within `timeoutMs`. */
export function compileOffThread(source: FunctionSource, options: OffThreadOptions): Promise<CodeProblem[]> {
  if (unavailable) return Promise.resolve(compile(source).problems);
  return new Promise((resolve) => {
    queue.push({ id: nextId++, source, timeoutMs: options.timeoutMs, resolve });
    pump();
  });
}
