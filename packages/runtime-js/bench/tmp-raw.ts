import ivm from "isolated-vm";
import { guestCoreExpression } from "@weir/function-contract/guest";
const N = 100;
const rss = () => { global.gc?.(); return process.memoryUsage().rss / 1e6; };
const mode = process.env.MODE ?? "ctx";
const src = `(function(){ const core = ${guestCoreExpression()}; return 1; })()`;
const keep: unknown[] = [];
const before = rss();
let stats;
for (let i = 0; i < N; i++) {
  const iso = new ivm.Isolate({ memoryLimit: 64 });
  if (mode !== "iso") {
    const ctx = await iso.createContext();
    if (mode === "core") { const s = await iso.compileScript(src); await s.run(ctx); }
    keep.push(ctx);
  }
  keep.push(iso);
  stats = await iso.getHeapStatistics();
}
console.log(mode, "per isolate MB", ((rss() - before) / N).toFixed(2), JSON.stringify(stats));
process.exit(0);
