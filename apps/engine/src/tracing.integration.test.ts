// Tracing through a real engine process into a real OpenTelemetry Collector (built from upstream
// modules by the collector's builder, test/otel-collector.ts): a POST to HTTP ingest carrying a
// `traceparent` continues that trace through the source, a js function and a log sink, one span
// per node per record, each the child of the one before; a dead-lettered record's span says so.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { startKafkaEngine } from "../test/kafka-engines";
import { startCollector } from "../test/otel-collector";
import type { Collector, ExportedSpan } from "../test/otel-collector";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let collector: Collector;
let engine: EngineProcess;

beforeAll(async () => {
  collector = await startCollector();
  engine = await startEngine(t.url, {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: "100",
    OTEL_SERVICE_NAME: "weir-engine-test",
  });
}, 600_000);
afterAll(async () => {
  await engine.stop();
  await collector.stop();
});

describe("tracing", () => {
  it("continues an incoming traceparent through every node, one span per node per record", async () => {
    const flow = await t.api.flow.create({
      name: "traced",
      nodes: [
        { id: "in", kind: "source", type: "http-ingest", config: { public: true } },
        {
          id: "fn",
          kind: "function",
          type: "function",
          // A function that sets its own headers: the engine still carries the trace on.
          config: {
            code: `export default (r) => { if (r.value.bad) throw new Error("bad record"); return { value: r.value, headers: { mine: "yes" } }; }`,
            maxAttempts: 1,
          },
        },
        { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
      ],
      edges: [
        { id: "e1", from: { node: "in", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    });
    await t.api.deployment.deploy({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
      "running",
    );
    const [instance] = await t.api.engine.list();
    const traceId = randomBytes(16).toString("hex");
    const callerSpan = randomBytes(8).toString("hex");
    const response = await fetch(`${instance?.ingestUrl ?? ""}/ingest/${flow.id}/in`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify([{ n: 1 }, { bad: true }]),
    });
    expect(response.status).toBe(200);

    const spans = await eventually(() => {
      const ours = collector.spans().filter((span) => span.traceId === traceId);
      return Promise.resolve(ours.length >= 5 ? ours : undefined);
    }, "5 spans of the trace at the collector");
    const named = (name: string): ExportedSpan[] => spans.filter((span) => span.name === name);
    expect(spans).toHaveLength(5);

    // Both records' source spans are children of the caller's span.
    const sources = named("source in");
    expect(sources.map((span) => span.parentId)).toEqual([callerSpan, callerSpan]);
    expect(sources[0]?.kind).toBe("Producer");
    expect(sources[0]?.attributes).toMatchObject({
      "weir.flow.id": flow.id,
      "weir.node.id": "in",
      "weir.node.type": "http-ingest",
    });

    // Each function span is the child of one source span; the good one sends the sink its record.
    const functions = named("function fn");
    expect(functions.map((span) => span.parentId).sort()).toEqual(sources.map((span) => span.id).sort());
    const failed = functions.find((span) => span.status === "Error");
    const passed = functions.find((span) => span.status !== "Error");
    expect(failed?.attributes).toMatchObject({ "weir.dead_lettered": "true", "weir.attempts": "1" });
    expect(failed?.events).toContain("dead-lettered");
    expect(passed?.attributes["weir.batch.size"]).toBe("2");

    const [sink] = named("sink out");
    expect(sink?.parentId).toBe(passed?.id);
    expect(sink?.attributes["weir.node.type"]).toBe("log");

    // The engine keeps the same spans itself, and the API's trace.get gives them to the editor.
    const view = await t.api.trace.get({ flowId: flow.id, traceId });
    expect(view.engines).toBe(1);
    expect(view.spans.map((span) => span.spanId).sort()).toEqual(spans.map((span) => span.id).sort());
    const kept = new Map(view.spans.map((span) => [span.spanId, span]));
    for (const exported of spans) {
      const span = kept.get(exported.id);
      expect(span?.name).toBe(exported.name);
      expect(span?.parentSpanId).toBe(exported.parentId);
    }
    expect(view.spans[0]?.offsetMs).toBe(0);
    expect(view.spans.every((span) => span.durationMs !== null && span.durationMs >= 0)).toBe(true);
    const keptFailed = kept.get(failed?.id ?? "");
    expect(keptFailed?.deadLettered).toBe(true);
    expect(keptFailed?.attempts).toBe(1);
    expect(keptFailed?.error).toContain("bad record");
    expect(kept.get(sink?.id ?? "")?.depth).toBe(2);

    // The log sink's record and the dead letter carry their trace: the span that handled them.
    const [logged] = await t.api.logs.read({ flowId: flow.id, nodeId: "out" });
    expect((logged?.record as { headers: Record<string, string> }).headers.traceparent).toBe(
      `00-${traceId}-${sink?.id ?? ""}-01`,
    );
    const letters = await eventually(async () => {
      const list = await t.api.deadLetters.list({ flowId: flow.id });
      return list.length > 0 ? list : undefined;
    }, "the dead letter");
    expect((letters[0]?.record as { headers: Record<string, string> }).headers.traceparent).toBe(
      `00-${traceId}-${failed?.id ?? ""}-01`,
    );
    await t.api.deployment.stop({ flowId: flow.id });
  });

  it("carries the trace across Kafka edge topics, between engines", async () => {
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    const brokers = inject("kafkaBrokers");
    const engines = await Promise.all(
      ["a", "b"].map((id) =>
        startKafkaEngine(t.url, brokers, `trace-${id}-${randomUUID().slice(0, 6)}`, otel),
      ),
    );
    try {
      const spec: FlowSpecInput = {
        name: "traced over kafka",
        nodes: [
          { id: "in", kind: "source", type: "http-ingest", config: { public: true } },
          { id: "fn", kind: "function", type: "function", config: { code: "export default (r) => r" } },
          { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
        ],
        edges: [
          { id: "e1", from: { node: "in", port: "out" }, to: { node: "fn" } },
          { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
        ],
      };
      const flow = await t.api.flow.create(spec);
      await t.api.deployment.deploy({ flowId: flow.id });
      const status = await eventually(async () => {
        const deployment = await t.api.deployment.status({ flowId: flow.id });
        return deployment?.actualState === "running" ? deployment : undefined;
      }, "running");
      const holder = (await t.api.engine.list()).find((engine) => engine.id === status.engineId);
      const traceId = randomBytes(16).toString("hex");
      const callerSpan = randomBytes(8).toString("hex");
      // Retried while the workers join their groups (ingest answers once Kafka holds the record).
      const response = await fetch(`${holder?.ingestUrl ?? ""}/ingest/${flow.id}/in`, {
        method: "POST",
        headers: { "content-type": "application/json", traceparent: `00-${traceId}-${callerSpan}-01` },
        body: JSON.stringify({ n: 1 }),
      });
      expect(response.status).toBe(200);
      const spans = await eventually(
        () => {
          const ours = collector.spans().filter((span) => span.traceId === traceId);
          return Promise.resolve(ours.length >= 3 ? ours : undefined);
        },
        "3 spans of the trace at the collector",
        60_000,
      );
      const byName = new Map(spans.map((span) => [span.name, span]));
      expect([...byName.keys()].sort()).toEqual(["function fn", "sink out", "source in"]);
      expect(byName.get("source in")?.parentId).toBe(callerSpan);
      expect(byName.get("function fn")?.parentId).toBe(byName.get("source in")?.id);
      expect(byName.get("sink out")?.parentId).toBe(byName.get("function fn")?.id);
      await t.api.deployment.stop({ flowId: flow.id });
    } finally {
      await Promise.all(engines.map((engine) => engine.stop()));
    }
  });
});
