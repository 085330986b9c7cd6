import type { FunctionHost, FunctionInstance, FunctionSpec } from "@weir/domain";
import type { CompileResult } from "@weir/function-contract";
import { compileForRun, parseCallResult } from "@weir/function-contract";
import { encodeBatchWithByteParts, hasByteOutputs } from "@weir/function-contract/guest";
import type { GuestDriver } from "@weir/function-contract/instance";
import { startBatchedInstance } from "@weir/function-contract/instance";
import type { BatchesOnThread } from "./sandbox";
import { Sandbox, USER_FILE } from "./sandbox";

/**
 * Compiles the code, starts its sandbox (module load, then init) and returns the instance.
 * Rejects with a user error carrying the line when the code does not compile, the module throws
 * while loading, or init fails. Batching and recovery are function-contract's BatchedInstance.
 */
export async function createJsInstance(
  spec: FunctionSpec,
  host: FunctionHost,
  batchesOnThread: BatchesOnThread,
): Promise<FunctionInstance> {
  return startBatchedInstance(spec, host, isolateDriver(spec, host, compileForRun(spec), batchesOnThread));
}

/** Guests of the `js` runtime: one V8 isolate each (sandbox.ts). */
function isolateDriver(
  spec: FunctionSpec,
  host: FunctionHost,
  compiled: CompileResult,
  batchesOnThread: BatchesOnThread,
): GuestDriver {
  return {
    async start(io) {
      const sandbox = await Sandbox.create({
        js: compiled.js,
        params: spec.params,
        secrets: host.secrets,
        ports: spec.ports,
        timeoutMs: spec.timeoutMs,
        memoryLimitMb: spec.memoryLimitMb,
        log: io.log,
        getState: io.getState,
        batchesOnThread,
      });
      return {
        load: () => sandbox.load(),
        call: (operation, batch) => {
          if (operation === "init")
            return Promise.resolve(sandbox.call("init", undefined, 1)).then((text) => parseCallResult(text));
          const { text, parts } = encodeBatchWithByteParts(batch);
          // Byte outputs wait in the isolate for one more crossing, on the thread the batch ran on.
          const result = sandbox.call(operation, text, batch.length, parts);
          if (typeof result === "string")
            return parseCallResult(result, hasByteOutputs(result) ? sandbox.takeBytes() : undefined, batch);
          return result.then(async (answer) =>
            parseCallResult(
              answer,
              hasByteOutputs(answer) ? await sandbox.takeBytesOffThread() : undefined,
              batch,
            ),
          );
        },
        dispose: () => {
          sandbox.dispose();
        },
      };
    },
    userLine: (stack) => userLine(stack, compiled.lines),
  };
}

const USER_FRAME = new RegExp(`${USER_FILE.replace(".", "\\.")}:(\\d+)`);

/** The first frame in the user's code (a V8 stack), as a line of the user's source. */
function userLine(stack: string | null, lines: ReadonlyMap<number, number>): number | undefined {
  if (stack === null) return undefined;
  const match = USER_FRAME.exec(stack);
  return match?.[1] ? lines.get(Number(match[1])) : undefined;
}
