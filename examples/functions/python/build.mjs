// Builds this Python function into a Weir component:
// `node examples/functions/python/build.mjs [out.wasm]` (default dist/function.wasm).
// Needs componentize-py (`pip install componentize-py==0.25.1`; .ci/run installs it), which
// bundles CPython compiled to WebAssembly with app.py and the bindings it generates from
// wit/weir-function.wit.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));

export async function build(outFile) {
  await mkdir(path.dirname(outFile), { recursive: true });
  const args = [
    ...["-d", path.resolve(here, "../../../wit"), "-w", "function"],
    ...["componentize", "--stub-wasi", "app", "-o", outFile],
  ];
  await promisify(execFile)("componentize-py", args, { cwd: here, maxBuffer: 16 << 20 }).catch((error) => {
    const hint =
      error.code === "ENOENT" ? "componentize-py is not on PATH: pip install componentize-py==0.25.1" : "";
    throw new Error(`componentize-py failed: ${hint || error.stderr || error.message}`);
  });
  return outFile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? path.join(here, "dist/function.wasm"));
  await build(out);
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
