import type { FunctionHost, FunctionInstance, FunctionSpec, WeirRecord } from "@weir/domain";
import { isBytes } from "@weir/domain";
import type { CallResult, LoadResult } from "@weir/function-contract";
import type { Guest, GuestDriver } from "@weir/function-contract/instance";
import { startBatchedInstance } from "@weir/function-contract/instance";
import { checkForRun } from "./check";
import { packagesFor } from "./packages";
import { PACKAGES_DIR } from "./sandbox";
import { PythonWorker } from "./worker";

/**
 * Checks the code, starts its first worker (load, then init) and returns the instance; the
 * batching, one-by-one retry after a dead batch and settling are function-contract's.
 */
export async function createPythonInstance(
  spec: FunctionSpec,
  host: FunctionHost,
): Promise<FunctionInstance> {
  await checkForRun(spec.code);
  const packages = spec.requirements?.length ? await packagesFor(spec.requirements) : undefined;
  return startBatchedInstance(spec, host, processDriver(spec, host, packages));
}

/** A record as the guest reads it: a byte value as base64 in `bytes` (JSON has no bytes). */
type WireRecord = WeirRecord | (Omit<WeirRecord, "value"> & { bytes: string });

function toWire(record: WeirRecord): WireRecord {
  if (!isBytes(record.value)) return record;
  const { value, ...rest } = record;
  return { ...rest, bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
}

/**
 * Fills the key, headers and timestamp an output left out from its input record (the guest
 * leaves them out of its text rather than encoding the input's again), and makes the base64
 * `bytes` of a byte output its Uint8Array value.
 */
function withInputFields(result: CallResult, batch: readonly WeirRecord[]): CallResult {
  for (const [index, outcome] of result.outcomes.entries()) {
    const input = batch[index];
    if (!outcome.ok || !input) continue;
    for (const output of outcome.outputs) {
      // As the guest sent it: `value` or `bytes` is sure to be there.
      const record: Partial<WeirRecord> & { bytes?: string } = output.record;
      if (record.bytes !== undefined) {
        const buffer = Buffer.from(record.bytes, "base64");
        record.value = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
        delete record.bytes;
      }
      if (record.key === undefined) record.key = input.key;
      if (record.headers === undefined) record.headers = { ...input.headers };
      if (record.timestamp === undefined) record.timestamp = input.timestamp;
    }
  }
  return result;
}

/** The guest reports failures' lines as "<function>:<line>" (guest.py, describe_thrown). */
function userLine(stack: string | null): number | undefined {
  const match = stack === null ? null : /^<function>:(\d+)$/.exec(stack);
  return match?.[1] ? Number(match[1]) : undefined;
}

/** Guests of the `python` runtime: one sandboxed CPython process each (worker.ts). */
function processDriver(spec: FunctionSpec, host: FunctionHost, packages: string | undefined): GuestDriver {
  return {
    async start(io): Promise<Guest> {
      const worker = await PythonWorker.start({
        timeoutMs: spec.timeoutMs,
        getState: io.getState,
        ...(packages ? { packages } : {}),
      });
      const budget = (records: number): number => spec.timeoutMs * Math.max(1, records);
      const cpuSeconds = (records: number): number => Math.ceil(budget(records) / 1000) + 1;
      return {
        load: async (): Promise<LoadResult> =>
          (await worker.exchange(
            {
              op: "load",
              code: spec.code,
              ports: spec.ports,
              params: spec.params,
              secrets: host.secrets,
              memoryLimitMb: spec.memoryLimitMb,
              paths: packages ? [PACKAGES_DIR] : [],
              cpuSeconds: cpuSeconds(1),
            },
            budget(1),
          )) as LoadResult,
        call: async (operation, batch): Promise<CallResult> => {
          return withInputFields(
            (await worker.exchange(
              { op: operation, records: batch.map(toWire), cpuSeconds: cpuSeconds(batch.length) },
              budget(batch.length),
            )) as CallResult,
            batch,
          );
        },
        dispose: () => {
          worker.dispose();
        },
      };
    },
    userLine,
  };
}
