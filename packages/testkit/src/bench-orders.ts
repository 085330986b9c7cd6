// The work every runtime and flow benchmark measures, written once so their figures compare:
// a web shop's order (about 335 bytes of JSON) and the JSON transform that totals it.
import type { WeirRecord } from "@weir/domain";

/** Order `i` as a record (keys spread over 100 customers). */
export function benchOrder(i: number): WeirRecord {
  return {
    key: `customer-${String(i % 100)}`,
    value: {
      id: `order-${String(i)}`,
      customer: { name: `Customer ${String(i % 100)}`, email: `c${String(i % 100)}@example.com` },
      items: [
        { sku: "A-1", price: 9.5, qty: 2 },
        { sku: "B-22", price: 120, qty: 1 },
        { sku: "C-333", price: 0.99, qty: 10 },
      ],
      currency: "EUR",
      tags: ["web", "priority"],
    },
    headers: { "content-type": "application/json" },
    timestamp: 1_700_000_000_000 + i,
  };
}

/** The same order as a generator source's template ("{{seq}}" is the record's sequence number). */
export const BENCH_ORDER_TEMPLATE = {
  id: "order-{{seq}}",
  customer: { name: "Customer {{seq}}", email: "c{{seq}}@example.com" },
  items: [
    { sku: "A-1", price: 9.5, qty: 2 },
    { sku: "B-22", price: 120, qty: 1 },
    { sku: "C-333", price: 0.99, qty: 10 },
  ],
  currency: "EUR",
  tags: ["web", "priority"],
};

/** The transform of an order, as a `js` function. */
export const BENCH_ORDER_TRANSFORM = `export default (record) => {
  const order = record.value;
  let total = 0;
  for (const item of order.items) total += item.price * item.qty;
  return {
    value: {
      orderId: order.id,
      customer: order.customer.name,
      email: order.customer.email,
      total,
      itemCount: order.items.length,
      currency: order.currency,
      processed: true,
    },
  };
};`;
