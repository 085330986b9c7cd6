// A `weir:function/function@0.1.0` component that leans on WASI as language toolchains do:
// it prints to stdout and stderr, reads the clock and randomness. Built with StarlingMonkey's
// stdio, clocks and random features (and, for the inspection test, also with http).
export function init() {
  console.log("init says hello on stdout");
}

export function process(records) {
  return records.map((record) => {
    console.error(`stderr line for ${record.value}`);
    const value = JSON.stringify({ now: Date.now() > 1_600_000_000_000, random: Math.random() < 1 });
    return { tag: "ok", val: { outputs: [{ record: { ...record, value } }], writes: [], metrics: [] } };
  });
}
