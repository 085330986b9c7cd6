// A `weir:function/function@0.1.0` component for the runtime's tests, written against the WIT
// directly (no Weir JS contract): doubles numbers, counts them in state, and fails, emits, traps
// or spins on request.
import { log } from "weir:function/log@0.1.0";
import { get } from "weir:function/state@0.1.0";

let factor = 1;

export function init(params, secrets) {
  const parsed = JSON.parse(params);
  if (parsed.failInit) throw { message: "init refused", line: 9 };
  factor = parsed.factor ?? 1;
  log(
    "info",
    `init with factor ${factor} and ${secrets.length} secret(s): ${secrets.map(([, v]) => v).join(",")}`,
  );
}

export function process(records) {
  return records.map((record) => {
    if (record.headers.some(([name, value]) => name === "content-encoding" && value === "base64")) {
      // Bytes, as base64 text (the world's rule): passed on as they came, and what was seen on 'alerts'.
      const seen = { ...record, headers: [], value: JSON.stringify({ base64: JSON.parse(record.value) }) };
      return ok([{ record }, { port: "alerts", record: seen }], [], []);
    }
    const value = JSON.parse(record.value);
    if (value === "make bytes")
      return ok(
        [{ record: { ...record, headers: [["content-encoding", "base64"]], value: '"aGk="' } }],
        [],
        [],
      );
    if (value === "bad bytes")
      return ok(
        [{ record: { ...record, headers: [["content-encoding", "base64"]], value: '"hi!"' } }],
        [],
        [],
      );
    if (value === "crash") throw new Error("crash: the whole call traps");
    if (value === "spin") for (;;);
    if (value === "fail") return { tag: "err", val: { message: "this record fails", line: 21 } };
    if (value === "elsewhere") return ok([{ port: "nowhere", record }], [], []);
    if (value === "bad value") return ok([{ record: { ...record, value: "{not json" } }], [], []);
    if (value === "bad value, then bad port")
      return ok([{ record: { ...record, value: "{not json" } }, { port: "nowhere", record }], [], []);
    if (value === "bad write") return ok([{ record }], [{ key: "w", value: "{" }], []);
    if (value === "bad metric")
      return ok([{ record }], [{ key: "w", value: "1" }], [{ name: "m", kind: "counter", value: NaN }]);
    if (value?.pass !== undefined) return ok([{ record }], [], []);
    if (value === "delete")
      return ok(
        [{ record: { ...record, value: '{\n  "pretty": true\n}', headers: [] } }],
        [{ key: "seen" }],
        [],
      );
    const seen = JSON.parse(get("seen") ?? "0") + 1;
    log("debug", `record ${record.value}`);
    return ok(
      [
        { port: "alerts", record: { ...record, value: JSON.stringify({ seen }) } },
        { record: { ...record, value: JSON.stringify(value * factor) } },
      ],
      [{ key: "seen", value: JSON.stringify(seen) }],
      [
        { name: "records", kind: "counter", value: 1 },
        { name: "size", kind: "histogram", value: record.value.length },
      ],
    );
  });
}

function ok(outputs, writes, metrics) {
  return { tag: "ok", val: { outputs, writes, metrics } };
}
