// FIRST CUT, NOT A SECURITY BOUNDARY. node:vm keeps honest code from touching Node by accident
// (no process, require or timers in its context) and stops synchronous runaway loops, but
// `this.constructor.constructor("return process")()` escapes it. The isolated-vm runtime that
// replaces this file implements the same FunctionRuntime interface.
import vm from "node:vm";
import type {
  FunctionHost,
  FunctionInstance,
  FunctionRuntime,
  FunctionSpec,
  PortRecord,
  RecordOutcome,
  WeirRecord,
} from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { compile } from "./compile";
import { normaliseReturn, toRecord } from "./outputs";

type Handler = (record: WeirRecord, ctx: unknown) => unknown;

export const vmRuntime: FunctionRuntime = {
  name: "js",
  check: (source) => Promise.resolve(compile(source).problems),
  createInstance: async (spec, host) => {
    await Promise.resolve();
    return createInstance(spec, host);
  },
};

function createInstance(spec: FunctionSpec, host: FunctionHost): FunctionInstance {
  const { js, lines, problems } = compile(spec);
  const first = problems[0];
  if (first) throw new Error(`line ${first.line}, column ${first.column}: ${first.message}`);

  const context = vm.createContext(
    { console: consoleFor(host) },
    { codeGeneration: { strings: false, wasm: false } },
  );
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = new vm.Script(`(function (module, exports) {\n${js}\n})`, {
    filename: "function.js",
    lineOffset: -1,
  }).runInContext(context, { timeout: spec.timeoutMs }) as (
    m: typeof module,
    e: typeof module.exports,
  ) => void;
  wrapper(module, module.exports);
  const handle = module.exports.default;
  if (typeof handle !== "function")
    throw new Error(
      "the code has no default export function: write `export default function handle(record, ctx) { … }`",
    );
  // Calls go through a script so vm's timeout covers the handler's synchronous part;
  // a function called directly from outside the context would run without a limit.
  context.__weirHandler = handle;
  const callScript = new vm.Script("__weirHandler(__weirRecord, __weirCtx)", { filename: "weir-call.js" });
  const handler: Handler = (record, ctx) => {
    context.__weirRecord = record;
    context.__weirCtx = ctx;
    return callScript.runInContext(context, { timeout: spec.timeoutMs }) as unknown;
  };
  const defaultPort = spec.ports[0] ?? "out";

  return {
    async process(batch) {
      const outcomes: RecordOutcome[] = [];
      for (const record of batch)
        outcomes.push(await runOne(handler, record, spec, host, defaultPort, lines));
      return outcomes;
    },
    close: () => Promise.resolve(),
  };
}

async function runOne(
  handler: Handler,
  record: WeirRecord,
  spec: FunctionSpec,
  host: FunctionHost,
  defaultPort: string,
  lines: Map<number, number>,
): Promise<RecordOutcome> {
  const emitted: PortRecord[] = [];
  const ctx = {
    params: spec.params,
    log: host.log,
    emit(port: string, out: unknown) {
      if (!spec.ports.includes(port))
        throw new Error(`ctx.emit: no output port '${port}' (ports: ${spec.ports.join(", ")})`);
      emitted.push({ port, record: toRecord(out, record, `ctx.emit('${port}', …) argument`) });
    },
  };
  try {
    const returned = await withTimeout(
      Promise.resolve(handler(structuredClone(record), ctx)),
      spec.timeoutMs,
    );
    return { ok: true, outputs: [...emitted, ...normaliseReturn(returned, record, defaultPort)] };
  } catch (error) {
    return { ok: false, error: { message: thrownMessage(error), ...lineOf(error, lines) } };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`function did not finish within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Errors thrown inside the context come from its own realm, so `instanceof Error` is false. */
function thrownMessage(error: unknown): string {
  if (
    typeof error === "object" &&
    error !== null &&
    "message" in error &&
    typeof error.message === "string"
  ) {
    return error.message;
  }
  return errorMessage(error);
}

function lineOf(error: unknown, lines: Map<number, number>): { line?: number } {
  const stack =
    typeof error === "object" && error !== null && "stack" in error && typeof error.stack === "string"
      ? error.stack
      : undefined;
  const match = stack ? /function\.js:(\d+)/.exec(stack) : null;
  const line = match?.[1] ? lines.get(Number(match[1])) : undefined;
  return line === undefined ? {} : { line };
}

function consoleFor(host: FunctionHost): Record<string, (...args: unknown[]) => void> {
  const join = (args: unknown[]): string =>
    args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
  return {
    log: (...args) => {
      host.log.info(join(args));
    },
    info: (...args) => {
      host.log.info(join(args));
    },
    warn: (...args) => {
      host.log.warn(join(args));
    },
    error: (...args) => {
      host.log.error(join(args));
    },
    debug: (...args) => {
      host.log.debug(join(args));
    },
  };
}
