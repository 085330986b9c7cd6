import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionInstance, FunctionSpec, RecordOutcome, WeirRecord } from "@weir/domain";
import { jsonTextOf, jsonTextRecord } from "@weir/domain";
import { createMemoryHost } from "@weir/runtime-conformance";
import { inspectComponent, jsGuestComponent, transpileCached, wasmRuntime } from "./index";
import {
  JCO_DATA_VIEW,
  JCO_LIST_ALLOC,
  JCO_TIMESTAMP_LIFT,
  JCO_U64_LOWER,
  JCO_UTF8_ENCODE,
  JCO_UTF8_LIFT,
} from "./jco-glue";
import { componentizeJs } from "./js-component";

const FIXTURE = fileURLToPath(new URL("../test/components/fixture.js", import.meta.url));
const WASI_FIXTURE = fileURLToPath(new URL("../test/components/wasi-fixture.js", import.meta.url));

let fixture: Uint8Array;
let jsGuest: Uint8Array;
let withWasi: Uint8Array;
let withHttp: Uint8Array;
const open: FunctionInstance[] = [];

// Both builds take ~15-20 s the first time on a machine (then they come from the cache).
beforeAll(async () => {
  fixture = await componentizeJs({ sourcePath: FIXTURE });
  jsGuest = await jsGuestComponent();
  withWasi = await componentizeJs({ sourcePath: WASI_FIXTURE, disableFeatures: ["http", "fetch-event"] });
  withHttp = await componentizeJs({ sourcePath: WASI_FIXTURE, disableFeatures: [] });
}, 300_000);
afterAll(async () => {
  await Promise.all(open.map((instance) => instance.close()));
});

function spec(overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    nodeId: "fn",
    code: "",
    language: "javascript",
    params: { factor: 3 },
    ports: ["out", "alerts"],
    timeoutMs: 2_000,
    memoryLimitMb: 64,
    component: fixture,
    ...overrides,
  };
}

const rec = (value: WeirRecord["value"]): WeirRecord => ({
  key: "k",
  value,
  headers: { h: "v" },
  timestamp: 7,
});
const values = (outcome: RecordOutcome | undefined): unknown =>
  outcome?.ok ? outcome.outputs.map((output) => [output.port, output.record.value]) : outcome?.error.message;

describe("a prebuilt weir:function component", () => {
  it("runs init with params and secrets, and a batch with outputs, state and metrics", async () => {
    const host = createMemoryHost({ secrets: { token: "s3cret" } });
    const instance = await wasmRuntime.createInstance(spec(), host);
    open.push(instance);
    const outcomes = await instance.process([rec(1), rec("fail"), rec(2)]);
    expect(outcomes.map(values)).toEqual([
      [
        ["alerts", { seen: 1 }],
        ["out", 3],
      ],
      "this record fails",
      [
        ["alerts", { seen: 1 }],
        ["out", 6],
      ],
    ]);
    expect(outcomes[1]).toEqual({ ok: false, error: { message: "this record fails", line: 21 } });
    expect(outcomes[0]).toMatchObject({
      ok: true,
      outputs: [{}, { record: { key: "k", headers: { h: "v" }, timestamp: 7 } }],
    });
    // Writes arrive per successful record, in order (the component reads the store as it was).
    expect(host.applied).toEqual([[{ key: "seen", value: 1 }], [{ key: "seen", value: 1 }]]);
    expect(host.counters.get("records")).toBe(2);
    expect(host.histograms.get("size")).toEqual([1, 1]);
    expect(host.messages("info")).toEqual(["init with factor 3 and 1 secret(s): ***"]);
    const [next] = await instance.process([rec(5)]);
    expect(values(next)).toEqual([
      ["alerts", { seen: 2 }],
      ["out", 15],
    ]);
  });

  it("hands a byte value over as base64 text with content-encoding: base64, and takes bytes back the same way", async () => {
    const instance = await wasmRuntime.createInstance(spec(), createMemoryHost());
    open.push(instance);
    const bytes = Uint8Array.from([0, 1, 2, 0xff]);
    const outcomes = await instance.process([rec(bytes), rec("make bytes"), rec("bad bytes"), rec(2)]);
    const [echoed, seen] = outcomes[0]?.ok ? outcomes[0].outputs : [];
    // Passed through: the same bytes, the input's headers without the encoding mark.
    expect(echoed?.record.value).toBeInstanceOf(Uint8Array);
    expect([...(echoed?.record.value as Uint8Array)]).toEqual([0, 1, 2, 0xff]);
    expect(echoed?.record.headers).toEqual({ h: "v" });
    expect(seen?.record.value).toEqual({ base64: "AAEC/w==" });
    expect(outcomes[1]?.ok ? outcomes[1].outputs[0]?.record : undefined).toMatchObject({
      value: new TextEncoder().encode("hi"),
      headers: {},
    });
    expect(values(outcomes[2])).toBe(
      "output 0 has the header 'content-encoding: base64' but its value is not base64 text in a JSON string",
    );
    expect(values(outcomes[3])).toEqual([
      ["alerts", { seen: 1 }],
      ["out", 6],
    ]);
  });

  it("passes values on as JSON text: what went in as text comes back as that text, other outputs compact", async () => {
    const instance = await wasmRuntime.createInstance(spec(), createMemoryHost());
    open.push(instance);
    // Not as JSON.stringify would write it (1.50): the text itself crossed, both ways.
    const passed = jsonTextRecord("k", '{"pass":1.50}', { h: "v" }, 7);
    const outcomes = await instance.process([passed, rec(2), rec("delete")]);
    const records = outcomes.map((outcome) =>
      outcome.ok ? outcome.outputs.map((output) => output.record) : [],
    );
    expect(records.map((outputs) => outputs.map((record) => jsonTextOf(record)))).toEqual([
      ['{"pass":1.50}'],
      ['{"seen":1}', "6"],
      // written with whitespace and newlines by the component, passed on compact
      ['{"pretty":true}'],
    ]);
    expect(records[0]?.[0]).toEqual({ key: "k", value: { pass: 1.5 }, headers: { h: "v" }, timestamp: 7 });
  });

  it("fails a record that sends to a port the node does not have, and only that record", async () => {
    const instance = await wasmRuntime.createInstance(spec(), createMemoryHost());
    open.push(instance);
    const outcomes = await instance.process([rec(1), rec("elsewhere"), rec(2)]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(values(outcomes[1])).toMatch(/port 'nowhere', which the node does not have/);
  });

  it("fails a record whose output value or state write is not JSON, or whose metric is not finite", async () => {
    const host = createMemoryHost();
    const instance = await wasmRuntime.createInstance(spec(), host);
    open.push(instance);
    const outcomes = await instance.process([
      rec("bad value"),
      rec("bad value, then bad port"),
      rec("bad write"),
      rec("bad metric"),
      rec("delete"),
      rec(2),
    ]);
    expect(outcomes.map(values)).toEqual([
      "output 0 has a value that is not JSON text: {not json",
      "output 0 has a value that is not JSON text: {not json",
      "the state write of 'w' is not JSON text",
      "metric 'm' is not a finite number",
      [["out", { pretty: true }]],
      [
        ["alerts", { seen: 1 }],
        ["out", 6],
      ],
    ]);
    expect(outcomes[4]).toMatchObject({
      ok: true,
      outputs: [{ record: { key: "k", headers: {}, timestamp: 7 } }],
    });
    // Only the successful records' writes and metrics reach the host.
    expect(host.applied).toEqual([[{ key: "seen", delete: true }], [{ key: "seen", value: 1 }]]);
    expect(host.counters.get("records")).toBe(1);
    expect(host.counters.has("m")).toBe(false);
  });

  it("recreates an instance that trapped; only the culprit fails", async () => {
    const host = createMemoryHost();
    const instance = await wasmRuntime.createInstance(spec(), host);
    open.push(instance);
    const outcomes = await instance.process([rec(1), rec("crash"), rec(2)]);
    expect(values(outcomes[0])).toEqual([
      ["alerts", { seen: 1 }],
      ["out", 3],
    ]);
    expect(values(outcomes[1])).toMatch(/the component trapped/);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { instanceReset: true } });
    expect(values(outcomes[2])).toEqual([
      ["alerts", { seen: 2 }],
      ["out", 6],
    ]);
    expect(host.counters.get("records")).toBe(2);
  });

  it("stops a component that never returns, within its limit", async () => {
    const instance = await wasmRuntime.createInstance(spec({ timeoutMs: 300 }), createMemoryHost());
    open.push(instance);
    const started = Date.now();
    const outcomes = await instance.process([rec("spin"), rec(2)]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(values(outcomes[0])).toMatch(/timed out: did not finish within 300 ms/);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { instanceReset: true } });
    expect(values(outcomes[1])).toEqual([
      ["alerts", { seen: 1 }],
      ["out", 6],
    ]);
  });

  it("makes createInstance reject when init returns an error", async () => {
    await expect(
      wasmRuntime.createInstance(spec({ params: { failInit: true } }), createMemoryHost()),
    ).rejects.toThrow(/init failed at line 9: init refused/);
  });

  it("gets WASI without the machine: stdout and stderr become log lines, clocks and randomness work", async () => {
    const host = createMemoryHost();
    const instance = await wasmRuntime.createInstance(spec({ component: withWasi }), host);
    open.push(instance);
    const [outcome] = await instance.process([rec(1)]);
    expect(values(outcome)).toEqual([["out", { now: true, random: true }]]);
    expect(host.messages("info")).toContain("init says hello on stdout");
    expect(host.messages("error")).toContain("stderr line for 1");
  });

  it("refuses bytes that are not a Weir component, saying why", async () => {
    await expect(
      wasmRuntime.createInstance(
        spec({ component: new TextEncoder().encode("garbage") }),
        createMemoryHost(),
      ),
    ).rejects.toThrow(/not a WebAssembly binary/);
  });
});

describe("inspectComponent", () => {
  it("accepts a component of the Weir world", async () => {
    const inspection = await inspectComponent(fixture);
    expect(inspection).toMatchObject({ ok: true, kind: "component", problems: [] });
    expect(inspection.wit).toContain("export process: func(records: list<weir-record>) -> list<outcome>;");
  });

  it("says what garbage, a core module and an empty file are", async () => {
    expect((await inspectComponent(new TextEncoder().encode("MZ\u0090 not wasm at all"))).problems).toEqual([
      expect.stringMatching(/^not a WebAssembly binary/),
    ]);
    expect(await inspectComponent(new Uint8Array())).toMatchObject({ ok: false, kind: "not-wasm" });
    const coreModule = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(await inspectComponent(coreModule)).toMatchObject({
      ok: false,
      kind: "core-module",
      problems: [expect.stringMatching(/^a core WebAssembly module, not a component/)],
    });
    const truncated = fixture.slice(0, 200);
    expect((await inspectComponent(truncated)).problems).toEqual([
      expect.stringMatching(/^not a valid WebAssembly component/),
    ]);
  });

  it("names the missing exports and the imports the host does not provide", async () => {
    // The runtime's own JS guest targets another world: no init/process, an extra import.
    const inspection = await inspectComponent(jsGuest);
    expect(inspection.ok).toBe(false);
    expect(inspection.problems).toEqual([
      expect.stringMatching(/^missing export `init` \(`init: func\(params: string/),
      expect.stringMatching(/^missing export `process` \(`process: func\(records: list<weir-record>\)/),
      expect.stringMatching(/^import `weir:function\/guest-progress@0.1.0` is not provided by the host/),
    ]);
  });
  it("names a network import the host does not provide", async () => {
    const inspection = await inspectComponent(withHttp);
    expect(inspection.ok).toBe(false);
    expect(inspection.problems.length).toBeGreaterThan(0);
    for (const problem of inspection.problems) {
      expect(problem).toMatch(
        /^import `wasi:http\/[a-z-]+@0\.2\.\d+` is not provided by the host: it provides /,
      );
    }
    expect((await inspectComponent(withWasi)).ok).toBe(true);
  });
});

describe("the transpile cache", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "weir-wasm-cache-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("transpiles a component once; a repeated deploy, or a restart, reads it from disk", async () => {
    const first = await transpileCached(fixture, dir);
    expect(first.cached).toBe(false);
    expect(first.dir.startsWith(dir)).toBe(true);
    // Nothing is kept in memory by transpileCached: a second call is what a restarted process does.
    const again = await transpileCached(fixture, dir);
    expect(again).toMatchObject({ cached: true, hash: first.hash, dir: first.dir });
    expect(again.imports).toEqual(["weir:function/log", "weir:function/state"]);
    expect(again.exports.map(([name]) => name).sort()).toEqual(["init", "process"]);
  });

  it("stores jco's glue with the faster string, u64 and list lowering and lifting and memory view (jco-glue.ts)", async () => {
    const { dir: entry } = await transpileCached(fixture, dir);
    const glue = await readFile(join(entry, "component.js"), "utf8");
    expect(glue).not.toContain(JCO_UTF8_ENCODE);
    expect(glue).not.toContain(JCO_DATA_VIEW);
    expect(glue).toContain("bytes.write(s, ptr, size, 'utf8')");
    expect(glue).toContain("dvMemory === mem && dvBytes.length !== 0");
    // every string, u64 and timestamp jco lifts or lowers goes through the helpers
    for (const pattern of [JCO_UTF8_LIFT, JCO_U64_LOWER, JCO_TIMESTAMP_LIFT])
      expect(new RegExp(pattern.source).test(glue), pattern.source).toBe(false);
    expect(glue).toMatch(
      /value: utf8Lift\(memory\d+, ptr\d+, len\d+\)|var result\d+ = utf8Lift\(memory\d+, ptr\d+, len\d+\);/,
    );
    expect(glue).toMatch(/timestamp: getUint64Number\(dataView\(memory\d+\), base \+ 48\),/);
    expect(glue).toMatch(/setUint64\(dataView\(memory\d+\), base \+ 32, v\d+_3\);/);
    // every list lowering was recognised: none is left in jco's form, and the records' is patched
    expect(new RegExp(JCO_LIST_ALLOC.source).test(glue)).toBe(false);
    expect(glue).toMatch(/var result\d+ = len\d+ === 0 \? 8 : realloc\d*\(0, 0, 8, len\d+ \* 40\);/);
  });
});
