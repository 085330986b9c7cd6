import type {
  FunctionHost,
  FunctionInstance,
  FunctionSpec,
  RecordOutcome,
  WeirRecord,
  WeirError,
} from "@weir/domain";
import { errorMessage, userError } from "@weir/domain";
import type { CallResult } from "./call-result";
import { failure, parseCallResult, userLine } from "./call-result";
import type { CompileResult } from "./compile";
import { compile } from "./compile";
import { secretRedactor } from "./redact";
import type { LogLevel } from "./sandbox";
import { Sandbox, SandboxDied } from "./sandbox";

/**
 * Compiles the code, starts its sandbox (module load, then init) and returns the instance.
 * Rejects with a user error carrying the line when the code does not compile, the module throws
 * while loading, or init fails.
 */
export async function createJsInstance(spec: FunctionSpec, host: FunctionHost): Promise<FunctionInstance> {
  const compiled = compile(spec);
  const first = compiled.problems[0];
  if (first) {
    throw userError("FUNCTION_ERROR", `line ${first.line}, column ${first.column}: ${first.message}`, {
      problems: compiled.problems,
    });
  }
  const instance = new JsInstance(spec, host, compiled);
  await instance.start();
  return instance;
}

/** "<count>\n<record JSON>\n…": the sandbox parses records one at a time (see bootstrap.js). */
function encodeBatch(batch: readonly WeirRecord[]): string {
  let text = String(batch.length);
  for (const record of batch) text += `\n${JSON.stringify(record)}`;
  return text;
}

/**
 * One function instance on the host side. A batch crosses into the sandbox as one call. When
 * that call dies (a record ran past `timeoutMs`, the heap limit was hit, the isolate crashed)
 * nothing it did has reached the host, so the sandbox is recreated and the batch's records run
 * again one call each, with the same per-record limit: only the culprit fails, with
 * `instanceReset`, and no state write or metric is counted twice.
 */
class JsInstance implements FunctionInstance {
  private readonly spec: FunctionSpec;
  private readonly host: FunctionHost;
  private readonly compiled: CompileResult;
  private readonly redact: (text: string) => string;
  private sandbox: Sandbox | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(spec: FunctionSpec, host: FunctionHost, compiled: CompileResult) {
    this.spec = spec;
    this.host = host;
    this.compiled = compiled;
    this.redact = secretRedactor(host.secrets);
  }

  async start(): Promise<void> {
    this.sandbox = await this.boot();
  }

  process(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    const run = this.tail.then(() => this.run(batch));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sandbox?.dispose();
    this.sandbox = undefined;
    await this.tail;
  }

  private async run(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    this.checkOpen();
    if (batch.length === 0) return [];
    const sandbox = this.sandbox;
    if (!sandbox) return this.oneByOne(batch);
    let text: string;
    try {
      text = await sandbox.call("batch", encodeBatch(batch), batch.length);
    } catch (error) {
      if (!(error instanceof SandboxDied)) throw error;
      this.sandbox = undefined;
      this.checkOpen();
      return this.oneByOne(batch);
    }
    return this.settle(parseCallResult(text));
  }

  private async oneByOne(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    let restartFailed: string | undefined;
    for (const record of batch) {
      this.checkOpen();
      if (!this.sandbox && restartFailed === undefined) {
        try {
          this.sandbox = await this.boot();
        } catch (error) {
          restartFailed = errorMessage(error);
        }
      }
      const sandbox = this.sandbox;
      if (!sandbox) {
        const message = `the function could not be restarted: ${restartFailed ?? "unknown error"}`;
        outcomes.push({ ok: false, error: failure(this.redact(message), undefined, true) });
        continue;
      }
      try {
        const text = await sandbox.call("single", encodeBatch([record]), 1);
        outcomes.push(...(await this.settle(parseCallResult(text))));
      } catch (error) {
        if (!(error instanceof SandboxDied)) throw error;
        this.sandbox = undefined;
        outcomes.push({ ok: false, error: failure(this.redact(error.message), undefined, true) });
      }
    }
    return outcomes;
  }

  /** Hands a call's logs, state writes and metrics to the host and finishes its outcomes. */
  private async settle(result: CallResult): Promise<RecordOutcome[]> {
    for (const [level, message] of result.logs) this.log(level, message);
    for (const [index, stack] of result.failures) {
      const outcome = result.outcomes[index];
      if (outcome && !outcome.ok) {
        outcome.error = failure(this.redact(outcome.error.message), userLine(stack, this.compiled.lines));
      }
    }
    for (const [, writes] of result.writes) await this.host.state.apply(writes);
    for (const [name, total] of Object.entries(result.counters)) this.host.metrics.counter(name, total);
    for (const [name, value] of result.histograms) this.host.metrics.histogram(name, value);
    return result.outcomes;
  }

  private async boot(): Promise<Sandbox> {
    const sandbox = await Sandbox.create({
      js: this.compiled.js,
      params: this.spec.params,
      secrets: this.host.secrets,
      ports: this.spec.ports,
      timeoutMs: this.spec.timeoutMs,
      memoryLimitMb: this.spec.memoryLimitMb,
      log: (level, message) => {
        this.log(level, message);
      },
      getState: async (key) => {
        const value = await this.host.state.get(key);
        return value === undefined ? undefined : JSON.stringify(value);
      },
    });
    try {
      const loaded = await sandbox.load();
      if (!loaded.ok) {
        throw this.startError(
          "the module failed to load",
          loaded.message,
          userLine(loaded.stack, this.compiled.lines),
        );
      }
      if (loaded.init) {
        const [outcome] = await this.settle(parseCallResult(await sandbox.call("init", undefined, 1)));
        if (outcome && !outcome.ok)
          throw this.startError("init failed", outcome.error.message, outcome.error.line);
      }
      return sandbox;
    } catch (error) {
      sandbox.dispose();
      if (error instanceof SandboxDied) {
        throw userError(
          error.kind === "timeout" ? "FUNCTION_TIMEOUT" : "FUNCTION_ERROR",
          `the function failed to start: ${this.redact(error.message)}`,
        );
      }
      throw error;
    }
  }

  private startError(what: string, message: string, line: number | undefined): WeirError {
    return userError(
      "FUNCTION_ERROR",
      `${what}${line === undefined ? "" : ` at line ${line}`}: ${this.redact(message)}`,
      line === undefined ? undefined : { line },
    );
  }

  private log(level: LogLevel, message: string): void {
    const logger = this.host.log;
    const text = this.redact(message);
    switch (level) {
      case "debug":
        logger.debug(text);
        break;
      case "warn":
        logger.warn(text);
        break;
      case "error":
        logger.error(text);
        break;
      case "info":
        logger.info(text);
        break;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error("the function instance is closed");
  }
}
