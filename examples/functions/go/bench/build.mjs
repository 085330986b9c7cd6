// Builds the Go benchmark components for `npm run bench:wasm-go`:
// `node examples/functions/go/bench/build.mjs [outDir]` writes go-identity.wasm and
// go-transform.wasm (default .weir/bench/).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../build.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] ?? path.resolve(here, "../../../../.weir/bench"));
for (const name of ["identity", "transform"]) {
  const out = path.join(outDir, `go-${name}.wasm`);
  await build(out, { dir: path.resolve(here, ".."), pkg: `./bench/${name}` });
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
