import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import { GuestDied } from "@weir/function-contract/instance";
import { FrameReader, encodeFrame } from "./frames";
import { GUEST_DIR, pythonBinary, sandboxArgs } from "./sandbox";

/** How long a worker may take to start (bubblewrap and CPython), before load's own limit. */
const START_MS = 10_000;
/** Diagnostics kept from a worker's stderr: what CPython prints when it cannot go on. */
const STDERR_TAIL = 4096;

export interface WorkerOptions {
  timeoutMs: number;
  /** The directory of the function's installed requirements (packages.ts), if it has any. */
  packages?: string;
  /** Answers a state read of the guest: JSON text, or undefined when the key has no value. */
  getState: (key: string) => Promise<string | undefined>;
}

type GuestMessage = { ready: true } | { load: unknown } | { get: string } | { result: unknown };

/**
 * One CPython worker process in its sandbox (guest/guest.py), speaking length-prefixed JSON
 * frames over its stdin and stdout. One call at a time; each call has a wall-clock limit after
 * which the process is killed and the call rejects with GuestDied, as it does when the process
 * ends on its own.
 */
export class PythonWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly options: WorkerOptions;
  private readonly reader = new FrameReader();
  private readonly waiting: ((message: GuestMessage) => void)[] = [];
  private stderr = "";
  private ended: GuestDied | undefined;
  private onEnd: ((death: GuestDied) => void) | undefined;
  private killedFor: GuestDied | undefined;

  private constructor(options: WorkerOptions) {
    this.options = options;
    this.child = spawn(
      "bwrap",
      [...sandboxArgs(options.packages), pythonBinary(), "-I", "-u", "-B", `${GUEST_DIR}/guest.py`],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    this.child.stdout.on("data", (chunk: Buffer) => {
      // The function shares the process with the guest and could write to its pipe: anything
      // that is not a well-formed frame ends this worker (a crash), never the engine.
      try {
        for (const frame of this.reader.push(chunk)) this.deliver(JSON.parse(frame) as GuestMessage);
      } catch (error) {
        this.kill(new GuestDied("crash", `the Python worker sent a malformed message: ${String(error)}`));
      }
    });
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    // A guest killed mid-write: the host's end of the pipe errors; the exit says why.
    this.child.stdin.on("error", () => undefined);
    this.child.on("error", (error) => {
      this.end(new GuestDied("crash", `the Python worker could not start: ${error.message}`));
    });
    this.child.on("exit", (code, signal) => {
      this.end(this.killedFor ?? this.deathOf(code, signal));
    });
  }

  /** Starts a worker and waits until its interpreter is ready for `load`. */
  static async start(options: WorkerOptions): Promise<PythonWorker> {
    const worker = new PythonWorker(options);
    await worker.exchange(undefined, START_MS, "start");
    return worker;
  }

  /**
   * Sends one message and answers the guest's state reads until its answer (`load` or `result`)
   * arrives; rejects with GuestDied when it does not within `budgetMs` or the process ends.
   */
  async exchange(message: object | undefined, budgetMs: number, what = "call"): Promise<unknown> {
    if (this.ended) throw this.ended;
    if (message) this.child.stdin.write(encodeFrame(JSON.stringify(message)));
    const timer = setTimeout(() => {
      this.kill(
        new GuestDied(
          "timeout",
          what === "start"
            ? `the Python worker did not start within ${budgetMs} ms`
            : `timed out: did not finish within ${this.options.timeoutMs} ms`,
        ),
      );
    }, budgetMs);
    try {
      for (;;) {
        const answer = await this.next();
        if ("get" in answer) {
          const value = await this.options.getState(answer.get);
          // The worker may have been killed (timeout) while the host read the state.
          if (this.alive()) this.child.stdin.write(encodeFrame(JSON.stringify({ state: value ?? null })));
          continue;
        }
        if ("ready" in answer) return undefined;
        return "load" in answer ? answer.load : answer.result;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  alive(): boolean {
    return this.ended === undefined;
  }

  dispose(): void {
    this.kill(new GuestDied("crash", "the Python worker was closed"));
  }

  private next(): Promise<GuestMessage> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.onEnd = reject;
    });
  }

  private deliver(message: GuestMessage): void {
    const resolve = this.waiting.shift();
    if (resolve) resolve(message);
  }

  private kill(death: GuestDied): void {
    if (this.ended) return;
    this.killedFor = death;
    this.child.kill("SIGKILL");
    this.end(death);
  }

  private end(death: GuestDied): void {
    if (this.ended) return;
    this.ended = death;
    this.waiting.length = 0;
    this.onEnd?.(death);
    this.onEnd = undefined;
  }

  private deathOf(code: number | null, signal: NodeJS.Signals | null): GuestDied {
    if (signal === "SIGXCPU") {
      return new GuestDied("timeout", `timed out: did not finish within ${this.options.timeoutMs} ms`);
    }
    const last = this.stderr.trim().split("\n").at(-1) ?? "";
    if (/MemoryError/.test(this.stderr)) {
      return new GuestDied("memory", "out of memory: the function went over its memory limit");
    }
    const how = signal ? `signal ${signal}` : `exit code ${String(code)}`;
    return new GuestDied("crash", `the Python worker ended (${how})${last ? `: ${last}` : ""}`);
  }
}
