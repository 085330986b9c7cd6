import type { FlowNode, FunctionInstance, PortRecord, RecordOutcome, WeirRecord } from "@weir/domain";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { NodeCounters } from "../stats";
import type { NodeInput, NodeOutput } from "../transport/edge-transport";
import { runFunction } from "./function-runner";
import type { FlowServices, NodeState } from "./services";

const record = (key: string): WeirRecord => ({ key, value: key, headers: {}, timestamp: 0 });

/** An instance that fails as a whole (not per record) on any batch holding key "bad". */
function instance(closed: string[], name: string): FunctionInstance {
  return {
    process: (batch: readonly WeirRecord[]): Promise<RecordOutcome[]> =>
      batch.some((r) => r.key === "bad")
        ? Promise.reject(new RangeError("Maximum call stack size exceeded"))
        : Promise.resolve(batch.map((r) => ({ ok: true, outputs: [{ port: "out", record: r }] }))),
    close: () => {
      closed.push(name);
      return Promise.resolve();
    },
  };
}

describe("runFunction", () => {
  it("ends an instance that failed as a whole, and dead-letters only the culprit", async () => {
    const closed: string[] = [];
    let made = 0;
    const batches = [[record("a"), record("bad"), record("b")]];
    const input: NodeInput = {
      take: () => Promise.resolve(batches.shift() ?? null),
      ack: () => Promise.resolve(),
    };
    const sent: PortRecord[] = [];
    const output: NodeOutput = {
      send: (outputs) => {
        sent.push(...outputs);
        return Promise.resolve();
      },
      sendToPort: () => Promise.resolve(),
      close: () => undefined,
    };
    const counters = new NodeCounters("d", "fn", "in");
    const letters: string[] = [];
    const services = {
      log: createLogger("test", { quiet: true }),
      counters: () => counters,
      deadLetters: {
        add: (entry: { record: WeirRecord }) => letters.push(String(entry.record.key)),
        persisted: () => Promise.resolve(),
      },
    } as unknown as FlowServices;
    const state = { flush: () => Promise.resolve() } as unknown as NodeState;
    await runFunction(
      { id: "fn" } as FlowNode,
      10,
      { maxAttempts: 2, backoffMs: 1 },
      {
        instance: instance(closed, "i0"),
        recreate: () => Promise.resolve(instance(closed, `i${String(++made)}`)),
        state,
      },
      input,
      output,
      { id: "d", flowId: "f", version: 1 } as never,
      services,
      new AbortController().signal,
    );
    expect(sent.map((r) => r.record.key)).toEqual(["a", "b"]);
    expect(letters).toEqual(["bad"]);
    // The batch's instance, the one-by-one run's and the retry's each failed and were ended; the
    // last one made is ended when the input ends.
    expect(closed.sort()).toEqual(["i0", "i1", "i2", "i3"]);
    expect(made).toBe(3);
    expect(counters.accountingJson()).toEqual({ completed: 2, deadLettered: 1, inFlight: 0 });
  });
});
