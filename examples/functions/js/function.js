// The example function, the same in every language under examples/functions: for each record
// whose value is {"name": string, "amount": number} it counts the record in state key "count",
// logs one line, bumps the "records" counter and sends on
// {"name": NAME, "amount": amount, "doubled": amount*2, "count": n}; any other value fails the
// record with a message.
//
// Written straight against the Weir world (wit/weir-function.wit) as jco maps it to JS:
// option<T> is T or undefined, result is { tag: "ok" | "err", val }, u64 is a BigInt, enums
// are strings.
import { log } from "weir:function/log@0.1.0";
import { get } from "weir:function/state@0.1.0";

export function init(_params, _secrets) {}

export function process(records) {
  // State reads answer from before this batch; later records of the batch must see the count
  // the earlier successful ones wrote, so the batch keeps its own running value.
  let count;
  return records.map((record) => {
    count ??= storedCount();
    let input;
    try {
      input = JSON.parse(record.value);
    } catch {
      input = undefined;
    }
    if (typeof input !== "object" || input === null || typeof input.amount !== "number") {
      return {
        tag: "err",
        val: { message: `value must be an object with a numeric amount, got ${record.value}` },
      };
    }
    count += 1;
    const name = typeof input.name === "string" ? input.name : "";
    log("info", `record ${count}: ${name}`);
    const value = JSON.stringify({
      name: name.toUpperCase(),
      amount: input.amount,
      doubled: input.amount * 2,
      count,
    });
    return {
      tag: "ok",
      val: {
        outputs: [{ port: undefined, record: { ...record, value } }],
        writes: [{ key: "count", value: String(count) }],
        metrics: [{ name: "records", kind: "counter", value: 1 }],
      },
    };
  });
}

function storedCount() {
  const text = get("count");
  const n = text === undefined ? 0 : Number(JSON.parse(text));
  return Number.isFinite(n) ? n : 0;
}
