// Builds this JS function into a Weir component: `node examples/functions/js/build.mjs [out.wasm]`
// (default dist/function.wasm), with componentize-js (StarlingMonkey) from the repository's
// node_modules. The component keeps the WASI clocks and randomness the engine itself uses and
// drops stdio, HTTP and fetch-event, so it imports nothing the Weir runtime refuses.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { componentize } from "@bytecodealliance/componentize-js";

const here = path.dirname(fileURLToPath(import.meta.url));

export async function build(outFile) {
  const { component } = await componentize({
    sourcePath: path.join(here, "function.js"),
    witPath: path.resolve(here, "../../../wit"),
    worldName: "function",
    disableFeatures: ["stdio", "http", "fetch-event"],
  });
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, component);
  return outFile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? path.join(here, "dist/function.wasm"));
  await build(out);
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
