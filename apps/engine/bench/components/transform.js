// The benchmark's JSON transform (an order → a summary) as a `weir:function/function@0.1.0`
// component (componentize-js), the same work as the `json transform` case's handler.
export function init() {}

export function process(records) {
  const outcomes = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const order = JSON.parse(record.value);
    let total = 0;
    for (const item of order.items) total += item.price * item.qty;
    const value = JSON.stringify({
      orderId: order.id,
      customer: order.customer.name,
      email: order.customer.email,
      total,
      itemCount: order.items.length,
      currency: order.currency,
      processed: true,
    });
    outcomes[i] = {
      tag: "ok",
      val: { outputs: [{ record: { ...record, value } }], writes: [], metrics: [] },
    };
  }
  return outcomes;
}
