// The behaviour every connector shares, checked against the real system it talks to. A
// connector's integration test calls `connectorSuite` with a way to reach that system.
import { describe, expect, it } from "vitest";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { findSink, findSource } from "../registry";
import { fakeSinkContext, fakeSourceContext } from "../test-contexts";

export interface SuiteRecord {
  key: string;
  value: JsonValue;
}

/** A fresh place (a topic, a queue…) to read from, with a client of our own to fill it. */
export interface SourceTarget {
  config: unknown;
  produce(records: readonly SuiteRecord[]): Promise<void>;
}

/** A fresh place to write to, with a client of our own to read back `count` records. */
export interface SinkTarget {
  config: unknown;
  consume(count: number): Promise<SuiteRecord[]>;
}

interface Schemas {
  /** The node type, as listed in the registry. */
  type: string;
  invalidConfig: { config: unknown; path: string };
}

export type ConnectorUnderTest =
  | (Schemas & { kind: "source"; target(): Promise<SourceTarget> })
  | (Schemas & { kind: "sink"; target(): Promise<SinkTarget> });

const KEYS = ["a", "b", "c", "d", "e", "f"];
const PER_KEY = 20;

/** Records with a per-key sequence, so order per key can be checked after partitioning. */
function suiteRecords(): SuiteRecord[] {
  const records: SuiteRecord[] = [];
  for (let seq = 0; seq < PER_KEY; seq++) {
    for (const key of KEYS) records.push({ key, value: { key, seq, note: `${key}-${String(seq)}` } });
  }
  return records;
}

function sequencesByKey(records: readonly SuiteRecord[]): Record<string, number[]> {
  const byKey: Record<string, number[]> = {};
  for (const record of records) {
    (byKey[record.key] ??= []).push((record.value as { seq: number }).seq);
  }
  return byKey;
}

const inOrder = Object.fromEntries(KEYS.map((key) => [key, [...Array(PER_KEY).keys()]]));

export async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function connectorSuite(connector: ConnectorUnderTest): void {
  const plugin = connector.kind === "source" ? findSource(connector.type) : findSink(connector.type);

  describe(`connector suite: ${connector.type}`, () => {
    it("is registered with its definition", () => {
      expect(plugin?.definition).toMatchObject({ type: connector.type, kind: connector.kind });
    });

    it("accepts a good config and rejects a bad one with its path", async () => {
      const schema = plugin?.definition.configSchema;
      const { config } = await connector.target();
      expect(schema?.safeParse(config).success).toBe(true);
      const bad = schema?.safeParse(connector.invalidConfig.config);
      expect(bad?.success).toBe(false);
      expect(bad?.error?.issues.map((issue) => issue.path.join("."))).toContain(connector.invalidConfig.path);
    });

    if (connector.kind === "source") {
      it("emits what was produced, in order per key, and stops on abort", async () => {
        const source = findSource(connector.type);
        if (!source) throw new Error(`${connector.type} is not registered`);
        const target = await connector.target();
        const produced = suiteRecords();
        await target.produce(produced);

        const ctx = fakeSourceContext();
        const running = source.run(target.config, ctx);
        await waitFor(() => (ctx.emitted.length >= produced.length ? true : undefined), "every record");
        const emitted = ctx.emitted.map((record) => ({
          key: record.key ?? "",
          value: record.value as JsonValue,
        }));
        expect(emitted).toHaveLength(produced.length);
        expect(sequencesByKey(emitted)).toEqual(inOrder);
        expect(new Set(emitted.map((r) => JSON.stringify(r)))).toEqual(
          new Set(produced.map((r) => JSON.stringify(r))),
        );

        ctx.abort();
        await expect(running).resolves.toBeUndefined();
      });
    } else {
      it("delivers what was written, in order per key, and closes after abort", async () => {
        const sink = findSink(connector.type);
        if (!sink) throw new Error(`${connector.type} is not registered`);
        const target = await connector.target();
        const ctx = fakeSinkContext();
        const instance = await sink.open(target.config, ctx);
        const written = suiteRecords();
        const now = Date.now();
        for (const record of written) {
          const weir: WeirRecord = { key: record.key, value: record.value, headers: {}, timestamp: now };
          await instance.write(weir);
        }
        const consumed = await target.consume(written.length);
        expect(sequencesByKey(consumed)).toEqual(inOrder);

        ctx.abort();
        await expect(instance.close()).resolves.toBeUndefined();
      });
    }
  });
}
