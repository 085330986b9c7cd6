import { Worker } from "node:worker_threads";
import { errorMessage } from "@weir/domain";
import type { LogLevel } from "@weir/function-contract";
import { GuestDied } from "@weir/function-contract/instance";
import type { LoadedComponent } from "./component-cache";

export interface GuestWorkerOptions {
  component: LoadedComponent;
  /** `js-guest`: the runtime's JS guest (text dispatch); `function`: a `weir:function` component. */
  kind: "js-guest" | "function";
  ports: readonly string[];
  params: unknown;
  secrets: Readonly<Record<string, string>>;
  timeoutMs: number;
  memoryLimitMb: number;
  /** Log lines as the guest writes them. */
  log(level: LogLevel, message: string): void;
  /** Host state as JSON text, or undefined when the key has no value. */
  getState(key: string): Promise<string | undefined>;
}

/** Largest state value a guest can read in one call (the shared buffer's size). */
const STATE_BUFFER_BYTES = 16 * 1024 * 1024;
const MAX_TIMER_MS = 2_147_483_647;
const encoder = new TextEncoder();

interface WorkerMessage {
  type: "ready" | "result" | "get" | "log";
  id?: number;
  ok?: boolean;
  text?: string;
  /** The call's output bytes (js-guest, when its outputs include bytes). */
  bytes?: Uint8Array;
  trap?: string;
  memoryBytes?: number;
  key?: string;
  level?: LogLevel;
  message?: string;
}

/** A call's answer: its JSON text and the output bytes its byte values point into. */
export interface CallAnswer {
  text: string;
  bytes: Uint8Array | undefined;
}

interface PendingCall {
  resolve(answer: CallAnswer): void;
  reject(error: GuestDied): void;
}

/**
 * One component instance on its own worker thread. Calls go one at a time; each is watched: the
 * worker writes the index and start time of the record it is on into a shared buffer, and a
 * timer here ends the worker as soon as one record (or init) has run longer than `timeoutMs`,
 * whether it spins, loops on microtasks or waits. A `function`-world component does not report
 * records, so its batch gets `timeoutMs` per record as a whole. The worker's JS heap is limited
 * by `resourceLimits`; the component's linear memories by the cap compiled into its modules.
 */
export class GuestWorker {
  private readonly worker: Worker;
  private readonly options: GuestWorkerOptions;
  private readonly progress: Float64Array;
  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private pending: PendingCall | undefined;
  private nextId = 1;
  private ended: GuestDied | undefined;
  private timedOut = false;

  private constructor(worker: Worker, options: GuestWorkerOptions, buffers: SharedArrayBuffer[]) {
    this.worker = worker;
    this.options = options;
    const [progress, control, data] = buffers as [SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer];
    this.progress = new Float64Array(progress);
    this.control = new Int32Array(control);
    this.data = new Uint8Array(data);
  }

  static async start(options: GuestWorkerOptions): Promise<GuestWorker> {
    const buffers = [
      new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT),
      new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT),
      new SharedArrayBuffer(STATE_BUFFER_BYTES),
    ];
    const worker = new Worker(new URL("./worker/host-worker.js", import.meta.url), {
      workerData: {
        jsUrl: options.component.jsUrl,
        modules: options.component.modules(options.memoryLimitMb),
        kind: options.kind,
        ports: options.ports,
        params: options.params,
        secrets: options.secrets,
        progressBuffer: buffers[0],
        controlBuffer: buffers[1],
        dataBuffer: buffers[2],
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, options.memoryLimitMb * 2) },
      stdout: true,
      stderr: true,
    });
    // The guest has no stdio of its own (WASI output becomes log lines); whatever the worker's
    // JS glue might print is dropped rather than mixed into the engine's output.
    worker.stdout.resume();
    worker.stderr.resume();
    const guest = new GuestWorker(worker, options, buffers);
    await guest.ready();
    return guest;
  }

  /**
   * One call: `operation` with its text argument in, one JSON text out. Rejects with GuestDied
   * (and leaves this worker ended) when the call times out or the component traps.
   */
  async call(operation: string, argument: string, records: number): Promise<string> {
    return (await this.callWithBytes(operation, argument, records, undefined)).text;
  }

  /** A call whose records may have byte values (moved to the worker) and whose outputs may too. */
  callWithBytes(
    operation: string,
    argument: string,
    records: number,
    bytes: Uint8Array | undefined,
  ): Promise<CallAnswer> {
    if (this.ended) return Promise.reject(this.ended);
    const { timeoutMs } = this.options;
    const budget = this.options.kind === "js-guest" ? timeoutMs : timeoutMs * Math.max(1, records);
    this.progress[0] = -1;
    this.progress[1] = Date.now();
    this.timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const watch = (): void => {
      const deadline = (this.progress[1] ?? 0) + budget;
      const now = Date.now();
      if (now >= deadline) {
        this.timedOut = true;
        this.end(new GuestDied("timeout", `timed out: did not finish within ${timeoutMs} ms`));
      } else {
        timer = setTimeout(watch, Math.min(MAX_TIMER_MS, deadline - now + 1));
      }
    };
    timer = setTimeout(watch, Math.min(MAX_TIMER_MS, budget));
    return new Promise<CallAnswer>((resolve, reject) => {
      this.pending = { resolve, reject };
      const message = { id: this.nextId++, operation, argument, bytes };
      // The batch's bytes were made for this call (encodeBatchWithBytes): moved, not copied.
      if (bytes === undefined) this.worker.postMessage(message);
      else this.worker.postMessage(message, [bytes.buffer as ArrayBuffer]);
    }).finally(() => {
      clearTimeout(timer);
    });
  }

  dispose(): void {
    this.end(new GuestDied("crash", "the function's worker was closed"));
  }

  private ready(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (error: unknown): void => {
        reject(new Error(`the component could not be instantiated: ${errorMessage(error)}`));
      };
      const onExit = (code: number): void => {
        reject(new Error(`the component could not be instantiated: its worker exited (code ${code})`));
      };
      this.worker.once("error", onError);
      this.worker.once("exit", onExit);
      this.worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") {
          this.worker.off("error", onError);
          this.worker.off("exit", onExit);
          this.worker.on("error", (error) => {
            this.end(this.deathOf(errorMessage(error), 0));
          });
          this.worker.on("exit", () => {
            this.end(new GuestDied("crash", "the function's worker exited"));
          });
          resolve();
          return;
        }
        this.onMessage(message);
      });
    });
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case "log":
        this.options.log(message.level ?? "info", String(message.message));
        return;
      case "get":
        void this.answerGet(String(message.key));
        return;
      case "result": {
        const call = this.pending;
        this.pending = undefined;
        if (!call) return;
        if (message.ok) {
          call.resolve({ text: String(message.text), bytes: message.bytes });
        } else {
          const death = this.deathOf(String(message.trap), message.memoryBytes ?? 0);
          call.reject(death);
          this.end(death);
        }
        return;
      }
      case "ready":
        return;
    }
  }

  private async answerGet(key: string): Promise<void> {
    let length: number;
    try {
      const json = await this.options.getState(key);
      if (json === undefined) {
        length = -1;
      } else {
        const bytes = encoder.encode(json);
        if (bytes.length > this.data.length) {
          throw new Error(`the state value of '${key}' is larger than ${this.data.length} bytes`);
        }
        this.data.set(bytes);
        length = bytes.length;
      }
    } catch (error) {
      const bytes = encoder.encode(`reading state '${key}' failed: ${errorMessage(error)}`);
      this.data.set(bytes.subarray(0, this.data.length));
      length = -2;
      Atomics.store(this.control, 1, Math.min(bytes.length, this.data.length));
      Atomics.store(this.control, 0, 1);
      Atomics.notify(this.control, 0);
      return;
    }
    Atomics.store(this.control, 1, length);
    Atomics.store(this.control, 0, 1);
    Atomics.notify(this.control, 0);
  }

  /** What a trap means: out of memory when the memories reached their cap, else a crash. */
  private deathOf(trap: string, memoryBytes: number): GuestDied {
    const { memoryLimitMb, timeoutMs } = this.options;
    if (this.timedOut) return new GuestDied("timeout", `timed out: did not finish within ${timeoutMs} ms`);
    const capBytes = this.options.component.memoryCapBytes(memoryLimitMb);
    if (
      /out of memory|ERR_WORKER_OUT_OF_MEMORY|heap limit/i.test(trap) ||
      (capBytes > 0 && memoryBytes >= capBytes - 1024 * 1024)
    ) {
      return new GuestDied(
        "memory",
        `out of memory: the function went over its ${memoryLimitMb} MiB memory limit`,
      );
    }
    if (this.options.kind === "js-guest" && /unreachable/.test(trap)) {
      // StarlingMonkey aborts when its event loop runs dry while the call's promise is still
      // pending: nothing is left that could ever settle it, which is a timeout decided early.
      return new GuestDied(
        "timeout",
        `timed out: did not finish within ${timeoutMs} ms (it waits on a promise that can never settle)`,
      );
    }
    return new GuestDied("crash", `the component trapped: ${trap}`);
  }

  private end(death: GuestDied): void {
    if (this.ended) return;
    this.ended = death;
    const call = this.pending;
    this.pending = undefined;
    call?.reject(death);
    // Wake a worker blocked on a state read so terminate does not wait for it.
    Atomics.store(this.control, 1, -1);
    Atomics.store(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    void this.worker.terminate();
  }
}
