import { readFileSync } from "node:fs";
import ivm from "isolated-vm";
import { errorMessage } from "@weir/domain";
import type { LoadResult, LogLevel } from "@weir/function-contract";
import { guestCoreExpression, moduleAsExpression } from "@weir/function-contract/guest";
import { GuestDied } from "@weir/function-contract/instance";

/** The file name V8 gives the user's code in stack traces; lines map back through compile's line map. */
export const USER_FILE = "function.js";

let bootstrap: string | undefined;

/**
 * The runtime's in-isolate half, evaluated before the user's module: the guest core and its
 * isolate adapter (sandbox/isolate-guest.js). The script's value is the function sandbox.ts calls.
 */
function bootstrapScript(): string {
  bootstrap ??= `(function () {
  "use strict";
  const core = ${guestCoreExpression()};
  const adapter = ${moduleAsExpression(readFileSync(new URL("./sandbox/isolate-guest.js", import.meta.url), "utf8"), "isolate-guest.js")};
  return function weirBootstrap(configJson, hostGet, hostLog, progressBuffer) {
    return adapter.isolateGuest(core.createGuest, configJson, hostGet, hostLog, progressBuffer);
  };
})()`;
  return bootstrap;
}

export interface SandboxOptions {
  /** The user's module as CommonJS (compile's output). */
  js: string;
  params: unknown;
  secrets: Readonly<Record<string, string>>;
  ports: readonly string[];
  timeoutMs: number;
  memoryLimitMb: number;
  /** Log lines written outside batches (module load, init, one-record retries), as they happen. */
  log(level: LogLevel, message: string): void;
  /** Host state as JSON text, or undefined when the key has no value. */
  getState(key: string): Promise<string | undefined>;
  /**
   * Where batches run: `adaptive` on the engine's thread once the function has shown it is
   * quick (see callOnThread), `always` there first (for tests of that path), `never` off it.
   */
  batchesOnThread: BatchesOnThread;
}

export type BatchesOnThread = "adaptive" | "always" | "never";

type Dispatch = (
  operation: string,
  argument: ivm.Transferable,
  ...parts: ivm.Transferable[]
) => string | Promise<string> | Uint8Array;
/** A batch of one record without byte values, on the engine's thread (isolate-guest.js batchOfOne). */
type BatchOfOne = (text: string) => string;
/** What `batch-on-thread` and `collect` answer while the batch is still waiting (isolate-guest.js). */
const PENDING = "";
type Bootstrap = (
  config: string,
  getState: ivm.Reference<(key: unknown) => Promise<string | undefined>>,
  log: ivm.Callback<(level: unknown, message: unknown) => void>,
  progress: ivm.Copy<SharedArrayBuffer>,
) => { dispatch: Dispatch; one: BatchOfOne };

const MAX_TIMER_MS = 2_147_483_647;
/** A batch runs on the engine's thread only when it is predicted to take less than this. */
const SYNC_PREDICTED_MS = 1;
/** …and it is stopped (and run again off the thread) once it takes this long. */
const SYNC_LIMIT_MS = 50;
/**
 * A batch carrying more bytes than this runs off the engine's thread whatever its prediction:
 * its copies in and out of the isolate are then made off it too, and a thread hop is small
 * beside them. On the thread, a stream of 256 KiB chunks ran past SYNC_LIMIT_MS one to three
 * times per 256 MiB on a busy machine (the process descheduled mid-call), each time costing
 * the function a new isolate.
 */
const ON_THREAD_MAX_BYTES = 64 * 1024;
/** Calls observed before a sandbox is trusted to be quick. */
const SYNC_AFTER_CALLS = 3;
let snapshotWarningShown = false;

/**
 * One V8 isolate (own heap, own memory limit) with one context, holding one instance of a
 * function. The host talks to it through a single `dispatch` function with strings in and out;
 * calls run on isolated-vm's thread pool, so user code never blocks the engine's event loop.
 *
 * Every call is watched: the bootstrap writes the index and start time of the record it is on
 * into a small shared buffer, and a timer on the host disposes the isolate as soon as one record
 * (or module load, or init) has run longer than `timeoutMs`, whether it is spinning, stuck in
 * a microtask loop or awaiting a promise that never settles. isolated-vm disposes the isolate
 * itself when the heap limit is hit. Either way the call rejects with GuestDied.
 */
export class Sandbox {
  private readonly isolate: ivm.Isolate;
  private readonly context: ivm.Context;
  private readonly dispatch: ivm.Reference<Dispatch>;
  private readonly one: ivm.Reference<BatchOfOne>;
  private readonly progress: Float64Array;
  private readonly options: SandboxOptions;
  private crashed: string | undefined;
  /** Batch calls measured so far, and the slowest recent time per record (ms, decaying). */
  private observedCalls = 0;
  private msPerRecord = Number.POSITIVE_INFINITY;
  /** applySync's options for a batch on the engine's thread, made once. */
  private readonly onThreadOptions: { timeout: number };

  private constructor(
    isolate: ivm.Isolate,
    context: ivm.Context,
    dispatch: ivm.Reference<Dispatch>,
    one: ivm.Reference<BatchOfOne>,
    progress: Float64Array,
    options: SandboxOptions,
  ) {
    this.isolate = isolate;
    this.context = context;
    this.dispatch = dispatch;
    this.one = one;
    this.progress = progress;
    this.options = options;
    this.onThreadOptions = { timeout: Math.min(options.timeoutMs, SYNC_LIMIT_MS) };
  }

  static async create(options: SandboxOptions): Promise<Sandbox> {
    warnAboutNodeSnapshot();
    const holder: { sandbox?: Sandbox } = {};
    const isolate = new ivm.Isolate({
      memoryLimit: options.memoryLimitMb,
      onCatastrophicError: (message) => {
        if (holder.sandbox) holder.sandbox.crashed = message;
      },
    });
    try {
      const context = await isolate.createContext();
      const script = await isolate.compileScript(bootstrapScript(), { filename: "weir-runtime.js" });
      const factory = (await script.run(context, { reference: true })) as ivm.Reference<Bootstrap>;
      const progressBuffer = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);
      const config = JSON.stringify({
        ports: options.ports,
        params: options.params,
        secrets: options.secrets,
      });
      // What the isolate sends back is checked again here: the bootstrap validates it, but it
      // shares its realm with untrusted code.
      const getState = (key: unknown): Promise<string | undefined> =>
        typeof key === "string"
          ? options.getState(key)
          : Promise.reject(new TypeError("a state key is a string"));
      const log = (level: unknown, message: unknown): void => {
        options.log(isLogLevel(level) ? level : "info", String(message));
      };
      const entries = await factory.apply(
        undefined,
        [
          config,
          new ivm.Reference(getState),
          new ivm.Callback(log, { ignored: true }),
          new ivm.ExternalCopy(progressBuffer).copyInto(),
        ],
        { result: { reference: true } },
      );
      const dispatch = await entries.get("dispatch", { reference: true });
      const one = await entries.get("one", { reference: true });
      entries.release();
      factory.release();
      script.release();
      holder.sandbox = new Sandbox(
        isolate,
        context,
        dispatch,
        one,
        new Float64Array(progressBuffer),
        options,
      );
      return holder.sandbox;
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  /** Evaluates the user's module and reads its exports. */
  async load(): Promise<LoadResult> {
    let moduleFunction: ivm.Reference<unknown>;
    try {
      // No newline after the wrapper's head: line N of `js` is line N of function.js.
      const script = await this.isolate.compileScript(`(function (exports, module) {${this.options.js}\n})`, {
        filename: USER_FILE,
      });
      moduleFunction = (await script.run(this.context, { reference: true })) as ivm.Reference<unknown>;
      script.release();
    } catch (error) {
      return { ok: false, message: errorMessage(error), stack: stackOf(error) };
    }
    const text = await this.call("load", moduleFunction.derefInto({ release: true }), 1);
    return JSON.parse(text) as LoadResult;
  }

  /**
   * One crossing: `operation` with its string argument in, one JSON string out. Rejects (or, for
   * a batch on the engine's thread, throws) GuestDied and leaves this sandbox disposed when the
   * call times out or the isolate dies. A batch that ran on the engine's thread answers the
   * string itself: no promise, no turn of the event loop.
   */
  call(
    operation: "init" | "batch" | "single" | "load",
    argument: ivm.Transferable,
    records: number,
    /** The batch's byte values in order (see encodeBatchWithByteParts), joined in the isolate. */
    parts: readonly Uint8Array[] = [],
  ): string | Promise<string> {
    if (this.isolate.isDisposed) throw new GuestDied("crash", "the function's sandbox was already disposed");
    const extra = crossingParts(parts);
    let bytes = 0;
    for (const part of parts) bytes += part.byteLength;
    if (operation !== "batch") return this.callOffThread(operation, argument, records, true, extra);
    const started = performance.now();
    const onThread = bytes <= ON_THREAD_MAX_BYTES && this.onThread(records);
    if (onThread) {
      const text = this.callOnThread(argument, records, extra);
      if (typeof text === "string") {
        this.observe((performance.now() - started) / records);
        return text;
      }
      return text.then((result) => {
        this.observe((performance.now() - started) / records);
        return result;
      });
    }
    // Off the thread, the time until the answer is handled also holds the hop to isolated-vm's
    // pool and back and the wait for this event loop, which is busy when many flows share the
    // engine: measured that way, a quick function of a busy engine looked slow and stayed off the
    // thread, where a batch costs the engine more (100 flows of 10 records/s on a loaded machine:
    // 12% of batches off the thread; timed by the isolate's own wall time instead, 3%).
    const ranBefore = this.isolate.wallTime;
    return this.callOffThread("batch", argument, records, true, extra).then((result) => {
      this.observe(Number(this.isolate.wallTime - ranBefore) / 1e6 / records);
      return result;
    });
  }

  private onThread(records: number): boolean {
    switch (this.options.batchesOnThread) {
      case "always":
        return true;
      case "never":
        return false;
      case "adaptive":
        return this.observedCalls >= SYNC_AFTER_CALLS && this.msPerRecord * records < SYNC_PREDICTED_MS;
    }
  }

  /**
   * Keeps a recent slow time per record: it rises at once with a slow call and halves with each
   * quicker one, so one slow record sends the next batches off the thread again for a while.
   */
  private observe(msPerRecord: number): void {
    this.observedCalls++;
    this.msPerRecord = Math.max(
      msPerRecord,
      this.msPerRecord === Number.POSITIVE_INFINITY ? 0 : this.msPerRecord / 2,
    );
  }

  /**
   * A batch on the engine's own thread (applySync): an asynchronous call costs a hop to
   * isolated-vm's thread pool and back, far more than a small batch of a quick function. Only
   * batches predicted to take well under a millisecond come here, and each is stopped after
   * SYNC_LIMIT_MS (or the node's limit, if shorter): the isolate is then disposed and the batch
   * runs again record by record off the thread (nothing it did has reached the host), so a
   * function that turns slow blocks the engine once, for at most that long. Microtasks run
   * before applySync returns, so async handlers finish here too; a batch still waiting (a state
   * read the host must answer) is awaited off the thread.
   */
  private callOnThread(
    argument: ivm.Transferable,
    records: number,
    extra: readonly ivm.Transferable[],
  ): string | Promise<string> {
    const { timeoutMs } = this.options;
    const limit = this.onThreadOptions.timeout;
    let result: unknown;
    try {
      this.progress[0] = -1;
      this.progress[1] = Date.now();
      // A batch of one record without byte values (most batches of a slow flow) takes the
      // guest's shorter way; its text is "1\n<record JSON>" either way.
      result =
        records === 1 && extra.length === 0 && typeof argument === "string"
          ? this.one.applySync(undefined, [argument], this.onThreadOptions)
          : this.dispatch.applySync(undefined, ["batch-on-thread", argument, ...extra], this.onThreadOptions);
      if (result === PENDING)
        result = this.dispatch.applySync(undefined, ["collect", undefined], this.onThreadOptions);
    } catch (error) {
      throw this.died(error, false, limit < timeoutMs);
    }
    if (result === PENDING) return this.callOffThread("await", undefined, records, false);
    if (typeof result !== "string") throw new Error(`the sandbox returned ${typeof result} to 'batch'`);
    return result;
  }

  /** A call on isolated-vm's thread pool, watched by the per-record watchdog. */
  private async callOffThread(
    operation: "init" | "batch" | "single" | "load" | "await",
    argument: ivm.Transferable,
    records: number,
    startClock: boolean,
    extra: readonly ivm.Transferable[] = [],
  ): Promise<string> {
    const { timeoutMs } = this.options;
    if (startClock) {
      this.progress[0] = -1;
      this.progress[1] = Date.now();
    }
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const watch = (): void => {
      const deadline = (this.progress[1] ?? 0) + timeoutMs;
      const now = Date.now();
      if (now >= deadline) {
        timedOut = true;
        this.dispose();
      } else {
        timer = setTimeout(watch, deadline - now + 1);
      }
    };
    timer = setTimeout(watch, timeoutMs);
    try {
      const result = await this.dispatch.apply(undefined, [operation, argument, ...extra], {
        result: { promise: true },
        // A backstop only: the watchdog above enforces the per-record limit.
        timeout: Math.min(MAX_TIMER_MS, timeoutMs * (records + 1)),
      });
      if (typeof result !== "string")
        throw new Error(`the sandbox returned ${typeof result} to '${operation}'`);
      return result;
    } catch (error) {
      throw this.died(error, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The output bytes of the last call (whose result said how many), copied out of the isolate
   * once: into an ExternalCopy, whose memory then moves into this heap as it is (transferIn).
   * After a batch on the engine's thread the copy is made there; after one off it, off it too,
   * so the engine's thread copies nothing (`takeBytesOffThread`).
   */
  takeBytes(): Uint8Array {
    let result: ivm.ExternalCopy;
    try {
      result = this.dispatch.applySync(undefined, ["take-bytes", undefined], {
        timeout: SYNC_LIMIT_MS,
        result: { externalCopy: true },
      });
    } catch (error) {
      throw this.died(error, false);
    }
    return takenBytes(result);
  }

  async takeBytesOffThread(): Promise<Uint8Array> {
    let result: ivm.ExternalCopy;
    try {
      result = await this.dispatch.apply(undefined, ["take-bytes", undefined], {
        timeout: Math.min(MAX_TIMER_MS, this.options.timeoutMs),
        result: { externalCopy: true },
      });
    } catch (error) {
      throw this.died(error, false);
    }
    return takenBytes(result);
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  private died(error: unknown, timedOut: boolean, preempted = false): GuestDied {
    const message = errorMessage(error);
    this.dispose();
    const { timeoutMs, memoryLimitMb } = this.options;
    if (preempted && /timed out/i.test(message)) {
      // Not the function's fault: the batch ran longer than a batch on the engine's thread may.
      return new GuestDied("crash", `a batch on the engine's thread ran past ${SYNC_LIMIT_MS} ms`);
    }
    if (timedOut || /timed out/i.test(message)) {
      return new GuestDied("timeout", `timed out: did not finish within ${timeoutMs} ms`);
    }
    if (/memory limit/i.test(message)) {
      return new GuestDied(
        "memory",
        `out of memory: the function went over its ${memoryLimitMb} MiB heap limit`,
      );
    }
    return new GuestDied("crash", `the function's sandbox crashed: ${this.crashed ?? message}`);
  }
}

/**
 * A batch's byte values as they cross into the isolate, copied once, outside this heap (an
 * ExternalCopy is plain memory until the isolate takes it in): allocating them here would add
 * to the engine's external memory, whose growth sets off full collections of its whole heap,
 * measured as the largest cost on its thread for a stream of 256 KiB chunks. isolated-vm copies
 * a view's whole buffer, so values that are views of one buffer side by side (a function's
 * outputs) go as one; a part of a buffer only is first joined with its neighbours here.
 */
function crossingParts(parts: readonly Uint8Array[]): ivm.Transferable[] {
  const out: ivm.Transferable[] = [];
  let index = 0;
  while (index < parts.length) {
    const first = parts[index] as Uint8Array;
    // The run of values that continue one another in the same buffer.
    let end = index + 1;
    let length = first.byteLength;
    for (; end < parts.length; end++) {
      const next = parts[end] as Uint8Array;
      if (next.buffer !== first.buffer || next.byteOffset !== first.byteOffset + length) break;
      length += next.byteLength;
    }
    const whole = first.byteOffset === 0 && length === first.buffer.byteLength;
    let crossing: Uint8Array;
    if (whole) crossing = new Uint8Array(first.buffer, 0, length);
    else {
      const unset = Buffer.allocUnsafeSlow(length);
      crossing = new Uint8Array(unset.buffer, unset.byteOffset, length);
      crossing.set(new Uint8Array(first.buffer, first.byteOffset, length));
    }
    // A joined copy is ours to move; a value's own buffer is copied (the host keeps the record).
    out.push(
      new ivm.ExternalCopy(crossing, { transferOut: !whole }).copyInto({ release: true, transferIn: true }),
    );
    index = end;
  }
  return out;
}

/** The bytes an ExternalCopy holds, moved into this heap (no second copy); checked, as the guest's answer. */
function takenBytes(copy: ivm.ExternalCopy): Uint8Array {
  const bytes: unknown = copy.copy({ release: true, transferIn: true });
  if (!(bytes instanceof Uint8Array)) throw new Error("the sandbox returned no bytes to 'take-bytes'");
  return bytes;
}

function isLogLevel(level: unknown): level is LogLevel {
  return level === "debug" || level === "info" || level === "warn" || level === "error";
}

function stackOf(error: unknown): string | null {
  return error instanceof Error && typeof error.stack === "string" ? error.stack : null;
}

/**
 * isolated-vm asks for `--no-node-snapshot`: isolates built next to Node's startup
 * snapshot can crash the process. Said once, as a process warning, when the flag is missing.
 */
function warnAboutNodeSnapshot(): void {
  if (snapshotWarningShown) return;
  snapshotWarningShown = true;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  if (!flags.includes("--no-node-snapshot")) {
    process.emitWarning("the js function runtime (isolated-vm) should run under `node --no-node-snapshot`", {
      code: "WEIR_NO_NODE_SNAPSHOT",
    });
  }
}
