// Builds this Go function into a Weir component: `node examples/functions/go/build.mjs [out.wasm]
// [package]` (default dist/function.wasm, and this directory's main package). Needs Go 1.24+ (`//go:wasmexport`) on PATH; everything else
// comes from the repository's node_modules (jco's wasm-tools).
//
// 1. `GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared`: a core module (a reactor) whose
//    exports follow the canonical ABI (see weir/abi.go).
// 2. jco componentEmbed: records the Weir world (wit/weir-function.wit) in the module.
// 3. jco componentNew: wraps it into a component, with adapter/wasi-adapter.wat standing in for
//    the WASI preview1 calls Go's runtime makes.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco";

const here = path.dirname(fileURLToPath(import.meta.url));
const witFile = path.resolve(here, "../../../wit/weir-function.wit");

/** Builds the main package `pkg` (this example by default) of the Go module in `dir`. */
export async function build(outFile, { dir = here, pkg = "." } = {}) {
  const work = await mkdtemp(path.join(tmpdir(), "weir-go-"));
  try {
    const coreFile = path.join(work, "function.core.wasm");
    await promisify(execFile)("go", ["build", "-buildmode=c-shared", "-o", coreFile, pkg], {
      cwd: dir,
      env: { ...process.env, GOOS: "wasip1", GOARCH: "wasm", CGO_ENABLED: "0" },
      maxBuffer: 16 << 20,
    }).catch((error) => {
      throw new Error(
        `go build failed (Go 1.24 or newer must be on PATH):\n${error.stderr || error.message}`,
      );
    });
    const core = await componentEmbed({
      binary: await readFile(coreFile),
      witSource: await readFile(witFile, "utf8"),
      world: "function",
    });
    const adapter = await componentEmbed({
      binary: await parse(await readFile(path.join(here, "adapter/wasi-adapter.wat"), "utf8")),
      witSource: await readFile(path.join(here, "adapter/adapter.wit"), "utf8"),
      world: "adapter",
    });
    const component = await componentNew(core, [["wasi_snapshot_preview1", adapter]]);
    await mkdir(path.dirname(outFile), { recursive: true });
    await writeFile(outFile, component);
    return outFile;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? path.join(here, "dist/function.wasm"));
  // an optional main package of this module, e.g. ./testdata/keep (tests build their own functions)
  await build(out, { pkg: process.argv[3] ?? "." });
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
