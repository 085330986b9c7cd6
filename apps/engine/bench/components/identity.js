// Identity as a `weir:function/function@0.1.0` component (componentize-js): every record goes
// out unchanged to the node's first port.
export function init() {}

export function process(records) {
  const outcomes = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    outcomes[i] = { tag: "ok", val: { outputs: [{ record: records[i] }], writes: [], metrics: [] } };
  }
  return outcomes;
}
