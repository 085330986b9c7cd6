import type { FunctionHost, FunctionInstance, FunctionSpec, RecordOutcome, WeirRecord } from "@weir/domain";
import { errorMessage, userError, WeirError } from "@weir/domain";
import type { CallResult, LoadResult, LogLevel } from "../call-result";
import { failure } from "../call-result";
import { secretRedactor } from "../redact";
import { GuestDied } from "./guest-died";

export { GuestDied } from "./guest-died";
export type { DeathKind } from "./guest-died";

/** One running guest holding one instance of a function: an isolate, a worker, a process. */
export interface Guest {
  /** Loads the user's module (a guest with nothing to load answers `{ ok: true, … }`). */
  load(): Promise<LoadResult>;
  /**
   * One crossing; rejects (or throws) GuestDied, leaving the guest ended, when the guest dies. A
   * guest that could answer at once (a quick batch run on the engine's thread) may answer the
   * result itself rather than a promise of it: a one-record call then costs no extra turns.
   */
  call(
    operation: "init" | "batch" | "single",
    batch: readonly WeirRecord[],
  ): CallResult | Promise<CallResult>;
  dispose(): void;
}

/** What a guest may ask of the host while it runs. */
export interface GuestIo {
  /** Log lines written outside batches (module load, init, one-record retries), as they happen. */
  log: (level: LogLevel, message: string) => void;
  /** Host state as JSON text, or undefined when the key has no value. */
  getState: (key: string) => Promise<string | undefined>;
}

/** How one runtime starts its guests; the batching, recovery and settling are shared. */
export interface GuestDriver {
  /** A new guest with the function in it (not yet loaded); rejects when it cannot start. */
  start(io: GuestIo): Promise<Guest>;
  /** The line of the user's source a failure's stack points at. */
  userLine(stack: string | null): number | undefined;
}

/**
 * Starts a function instance on a runtime's guests (load, then init) and returns it. Rejects
 * with a user error carrying the line when the module throws while loading or init fails.
 */
export async function startBatchedInstance(
  spec: FunctionSpec,
  host: FunctionHost,
  driver: GuestDriver,
): Promise<FunctionInstance> {
  const instance = new BatchedInstance(spec, host, driver);
  await instance.start();
  return instance;
}

/**
 * One function instance on the host side. A batch crosses into the guest as one call. When that
 * call dies (a record ran past `timeoutMs`, the memory limit was hit, the guest crashed) nothing
 * it did has reached the host, so a new guest is started (load and init again) and the batch's
 * records run again one call each, with the same per-record limit: only the culprit fails, with
 * `instanceReset`, and no state write or metric is counted twice.
 */
class BatchedInstance implements FunctionInstance {
  private readonly spec: FunctionSpec;
  private readonly host: FunctionHost;
  private readonly driver: GuestDriver;
  private readonly redact: (text: string) => string;
  private readonly io: GuestIo;
  private guest: Guest | undefined;
  /** The records of the call in progress: a line logged as it happens in a one-record call is that record's. */
  private calling: readonly WeirRecord[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  /** Calls of process() not yet settled: with none, the next one runs at once, not after `tail`. */
  private inFlight = 0;
  private closed = false;

  constructor(spec: FunctionSpec, host: FunctionHost, driver: GuestDriver) {
    this.spec = spec;
    this.host = host;
    this.driver = driver;
    this.redact = secretRedactor(host.secrets);
    this.io = {
      log: (level, message) => {
        this.log(level, message, this.calling.length === 1 ? this.calling[0] : undefined);
      },
      getState: async (key) => {
        const value = await this.host.state.get(key);
        return value === undefined ? undefined : JSON.stringify(value);
      },
    };
  }

  async start(): Promise<void> {
    this.guest = await this.boot();
  }

  process(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    if (this.inFlight === 0) {
      // Nothing to wait for: run now, and when the guest answered at once, answer at once too.
      let now: RecordOutcome[] | Promise<RecordOutcome[]>;
      try {
        now = this.run(batch);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return Array.isArray(now) ? Promise.resolve(now) : this.track(now);
    }
    return this.track(this.tail.then(() => this.run(batch)));
  }

  /** Keeps later calls behind `run` until it settles. */
  private track(run: Promise<RecordOutcome[]>): Promise<RecordOutcome[]> {
    this.inFlight++;
    // Registered before the caller's own reactions, so the count is down when the caller goes on.
    const settled = run.then(
      () => {
        this.inFlight--;
      },
      () => {
        this.inFlight--;
      },
    );
    this.tail = settled;
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.guest?.dispose();
    this.guest = undefined;
    await this.tail;
  }

  /** One batch: its outcomes, at once when the guest answered at once and nothing waits on the host. */
  private run(batch: readonly WeirRecord[]): RecordOutcome[] | Promise<RecordOutcome[]> {
    this.checkOpen();
    if (batch.length === 0) return [];
    const guest = this.guest;
    if (!guest) return this.oneByOne(batch);
    let answer: CallResult | Promise<CallResult>;
    this.calling = batch;
    try {
      answer = guest.call("batch", batch);
    } catch (error) {
      this.calling = [];
      return this.afterDeath(error, batch);
    }
    if (answer instanceof Promise) {
      return answer
        .then((result) => {
          this.calling = [];
          return this.checkMemory(guest, result);
        })
        .then(
          (result) => this.settle(result, batch),
          (error: unknown) => {
            this.calling = [];
            return this.afterDeath(error, batch);
          },
        );
    }
    this.calling = [];
    let result: CallResult;
    try {
      result = this.checkMemory(guest, answer);
    } catch (error) {
      return this.afterDeath(error, batch);
    }
    return this.settle(result, batch);
  }

  /** The batch's call died: nothing it did reached the host, so its records run again one by one. */
  private afterDeath(error: unknown, batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    if (!(error instanceof GuestDied)) throw error;
    this.guest = undefined;
    this.checkOpen();
    return this.oneByOne(batch);
  }

  /** One call; a guest whose engine ran out of memory is ended like one that died. */
  private async call(
    guest: Guest,
    operation: "init" | "batch" | "single",
    batch: readonly WeirRecord[],
  ): Promise<CallResult> {
    this.calling = operation === "init" ? [] : batch;
    let result: CallResult;
    try {
      result = await guest.call(operation, batch);
    } finally {
      this.calling = [];
    }
    return this.checkMemory(guest, result);
  }

  private checkMemory(guest: Guest, result: CallResult): CallResult {
    if (result.fatal === "memory") {
      guest.dispose();
      throw new GuestDied(
        "memory",
        `out of memory: the function went over its ${this.spec.memoryLimitMb} MiB memory limit`,
      );
    }
    return result;
  }

  private async oneByOne(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    let restartFailed: string | undefined;
    for (const record of batch) {
      this.checkOpen();
      if (!this.guest && restartFailed === undefined) {
        try {
          this.guest = await this.boot();
        } catch (error) {
          restartFailed = errorMessage(error);
        }
      }
      const guest = this.guest;
      if (!guest) {
        const message = `the function could not be restarted: ${restartFailed ?? "unknown error"}`;
        outcomes.push({ ok: false, error: failure(this.redact(message), undefined, true) });
        continue;
      }
      try {
        outcomes.push(...(await this.settle(await this.call(guest, "single", [record]), [record])));
      } catch (error) {
        if (!(error instanceof GuestDied)) throw error;
        this.guest = undefined;
        outcomes.push({ ok: false, error: failure(this.redact(error.message), undefined, true) });
      }
    }
    return outcomes;
  }

  /**
   * Hands a call's logs (each with the record that wrote it, when the guest said which), state
   * writes and metrics to the host and finishes its outcomes; at once unless there are state
   * writes to wait for.
   */
  private settle(
    result: CallResult,
    batch: readonly WeirRecord[],
  ): RecordOutcome[] | Promise<RecordOutcome[]> {
    for (const [level, message, index] of result.logs)
      this.log(level, message, index === undefined ? undefined : batch[index]);
    const reported = result.lines && result.lines.length > 0 ? new Map(result.lines) : undefined;
    for (const [index, stack] of result.failures) {
      const outcome = result.outcomes[index];
      if (outcome && !outcome.ok) {
        const line = reported?.get(index) ?? this.driver.userLine(stack);
        outcome.error = failure(this.redact(outcome.error.message), line);
      }
    }
    if (result.writes.length > 0) return this.applyWrites(result);
    this.countMetrics(result);
    return result.outcomes;
  }

  private async applyWrites(result: CallResult): Promise<RecordOutcome[]> {
    for (const [, writes] of result.writes) await this.host.state.apply(writes);
    this.countMetrics(result);
    return result.outcomes;
  }

  private countMetrics(result: CallResult): void {
    for (const name of Object.keys(result.counters))
      this.host.metrics.counter(name, result.counters[name] ?? 0);
    for (const [name, value] of result.histograms) this.host.metrics.histogram(name, value);
  }

  private async boot(): Promise<Guest> {
    let guest: Guest;
    try {
      guest = await this.driver.start(this.io);
    } catch (error) {
      if (error instanceof WeirError) throw error;
      throw this.bootError(error);
    }
    try {
      const loaded = await guest.load();
      if (!loaded.ok) {
        throw this.startError(
          "the module failed to load",
          loaded.message,
          this.driver.userLine(loaded.stack),
        );
      }
      if (loaded.init) {
        const [outcome] = await this.settle(await this.call(guest, "init", []), []);
        if (outcome && !outcome.ok)
          throw this.startError("init failed", outcome.error.message, outcome.error.line);
      }
      return guest;
    } catch (error) {
      guest.dispose();
      if (error instanceof GuestDied) throw this.bootError(error);
      throw error;
    }
  }

  /** A guest that could not start, or died while starting, as the user error createInstance rejects with. */
  private bootError(error: unknown): WeirError {
    const message = `the function failed to start: ${this.redact(errorMessage(error))}`;
    if (error instanceof GuestDied) {
      return userError(error.kind === "timeout" ? "FUNCTION_TIMEOUT" : "FUNCTION_ERROR", message);
    }
    return userError("FUNCTION_ERROR", message);
  }

  private startError(what: string, message: string, line: number | undefined): WeirError {
    return userError(
      "FUNCTION_ERROR",
      `${what}${line === undefined ? "" : ` at line ${line}`}: ${this.redact(message)}`,
      line === undefined ? undefined : { line },
    );
  }

  private log(level: LogLevel, message: string, record?: WeirRecord): void {
    const logger = this.host.log;
    const text = this.redact(message);
    // Called with the record only when there is one, so a logger sees what it always saw otherwise.
    if (record === undefined) logger[level](text);
    else logger[level](text, record);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error("the function instance is closed");
  }
}
