import { CONTRACT_MODULE } from "./contract";

/**
 * A function written against the contract's declarations, using every part of ctx: the
 * declarations' own test type-checks it, and the runtimes' tests run it.
 */
export const CONTRACT_SAMPLE = `import type { Handler, Init, JsonValue } from "${CONTRACT_MODULE}";

interface Order {
  id: string;
  items: { price: number; qty: number }[];
}

let threshold = 0;

export const init: Init<{ threshold: number }> = async (ctx) => {
  threshold = ctx.params.threshold;
  ctx.log.info("threshold", threshold);
};

const handle: Handler<Order, { threshold: number }> = async (record, ctx) => {
  const total = record.value.items.reduce((sum, item) => sum + item.price * item.qty, 0);
  const seen = ((await ctx.state.get<number>("seen")) ?? 0) + 1;
  ctx.state.put("seen", seen);
  ctx.metrics.counter("orders");
  ctx.metrics.histogram("total", total);
  console.log("order", record.value.id, ctx.record.key);
  if (total > threshold) ctx.emit("alerts", { value: { id: record.value.id, total } });
  if (total === 0) return;
  const out: JsonValue = { id: record.value.id, total, seen, token: ctx.secrets.TOKEN ?? null };
  return { value: out, headers: { ...record.headers, checked: "yes" } };
};
export default handle;
`;
