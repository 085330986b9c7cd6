import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GLUE_REVISION, patchJcoGlue } from "./jco-glue";
import { capMemories } from "./wasm-binary";

/**
 * Where transpiled components (and the built JS guest) are kept: `WEIR_WASM_CACHE_DIR`, or
 * `.weir/wasm-cache` under the working directory. Entries are named by jco's version and the
 * SHA-256 of the component's bytes, written whole and renamed into place, so they survive
 * restarts and a half-written entry is never read.
 */
export function cacheDir(): string {
  return resolve(process.env.WEIR_WASM_CACHE_DIR ?? join(process.cwd(), ".weir", "wasm-cache"));
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

interface TranspileMeta {
  /** Interfaces the component imports, unversioned (`weir:function/log`). */
  imports: string[];
  exports: [string, "function" | "instance"][];
  /** The core module files, in the order jco names them. */
  coreModules: string[];
}

export interface Transpiled extends TranspileMeta {
  hash: string;
  dir: string;
  /** False when this call ran jco; true when the cache had it. */
  cached: boolean;
}

/** jco's version: its output differs between versions, so it is part of an entry's path. */
const JCO_VERSION = (
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL("../package.json", import.meta.resolve("@bytecodealliance/jco"))),
      "utf8",
    ),
  ) as { version: string }
).version;

/** jco's version and our glue patch (jco-glue.ts) name the cache's generation. */
const TRANSPILED_DIR = `jco-${JCO_VERSION}-${GLUE_REVISION}`;
const JS_FILE = "component.js";
const META_FILE = "meta.json";

/** jco's transpile of a component, from the disk cache or made once and stored there. */
export async function transpileCached(bytes: Uint8Array, root = cacheDir()): Promise<Transpiled> {
  const hash = sha256(bytes);
  const dir = join(root, "transpiled", TRANSPILED_DIR, hash);
  try {
    const meta = JSON.parse(await readFile(join(dir, META_FILE), "utf8")) as TranspileMeta;
    return { ...meta, hash, dir, cached: true };
  } catch {
    // not cached yet
  }
  // `typescript: false` skips the .d.ts files (jco 1.10 reads it; its typings lack it).
  const options = {
    name: "component",
    instantiation: "sync",
    typescript: false,
    quiet: true,
    base64Cutoff: 0,
  };
  // jco (and its own WebAssembly) loads on the first component not cached yet, not with the
  // engine: most starts find every component cached, and a third of a second less per start.
  const { transpile } = await import("@bytecodealliance/jco");
  const output = await transpile(bytes, options as Parameters<typeof transpile>[1]);
  const coreModules = Object.keys(output.files)
    .filter((name) => name.endsWith(".wasm") && !name.includes("/"))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const meta: TranspileMeta = { imports: output.imports, exports: output.exports, coreModules };
  const staging = `${dir}.${randomUUID()}.tmp`;
  await mkdir(staging, { recursive: true });
  for (const name of [JS_FILE, ...coreModules]) {
    const file = output.files[name];
    if (!file) throw new Error(`jco produced no ${name}`);
    await writeFile(
      join(staging, name),
      name === JS_FILE ? patchJcoGlue(new TextDecoder().decode(file)) : file,
    );
  }
  await writeFile(join(staging, META_FILE), JSON.stringify(meta));
  try {
    await rename(staging, dir);
  } catch {
    // another process stored the same entry first: theirs is as good
    await rm(staging, { recursive: true, force: true });
  }
  return { ...meta, hash, dir, cached: false };
}

/**
 * A transpiled component ready to instantiate in workers: its JS glue's URL and its core modules,
 * compiled once per memory limit in this process (a `WebAssembly.Module` is shared with workers
 * without copying or recompiling).
 */
export interface LoadedComponent {
  hash: string;
  jsUrl: string;
  imports: readonly string[];
  exports: readonly [string, "function" | "instance"][];
  modules(memoryLimitMb: number): Record<string, WebAssembly.Module>;
  /** The largest memory the guest may reach under a limit (0 if it defines none). */
  memoryCapBytes(memoryLimitMb: number): number;
}

/** Node's WebAssembly.Module constructor (the ES2023 lib declares only the namespace's types). */
const WasmModule = (
  globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WebAssembly.Module } }
).WebAssembly.Module;

const loaded = new Map<string, Promise<LoadedComponent>>();

export function loadComponent(bytes: Uint8Array): Promise<LoadedComponent> {
  const hash = sha256(bytes);
  let entry = loaded.get(hash);
  if (!entry) {
    entry = load(bytes);
    loaded.set(hash, entry);
    entry.catch(() => loaded.delete(hash));
  }
  return entry;
}

async function load(bytes: Uint8Array): Promise<LoadedComponent> {
  const transpiled = await transpileCached(bytes);
  const raw = new Map<string, Uint8Array>();
  for (const name of transpiled.coreModules) raw.set(name, await readFile(join(transpiled.dir, name)));
  const compiled = new Map<number, { modules: Record<string, WebAssembly.Module>; cap: number }>();
  const compile = (memoryLimitMb: number): { modules: Record<string, WebAssembly.Module>; cap: number } => {
    let entry = compiled.get(memoryLimitMb);
    if (!entry) {
      const modules: Record<string, WebAssembly.Module> = {};
      let cap = 0;
      for (const [name, module] of raw) {
        const capped = capMemories(module, memoryLimitMb);
        cap = Math.max(cap, capped.maxBytes);
        modules[name] = new WasmModule(capped.bytes);
      }
      entry = { modules, cap };
      compiled.set(memoryLimitMb, entry);
    }
    return entry;
  };
  return {
    hash: transpiled.hash,
    jsUrl: pathToFileURL(join(transpiled.dir, JS_FILE)).href,
    imports: transpiled.imports,
    exports: transpiled.exports,
    modules: (memoryLimitMb) => compile(memoryLimitMb).modules,
    memoryCapBytes: (memoryLimitMb) => compile(memoryLimitMb).cap,
  };
}

/** Names in the cache, for tests and housekeeping. */
export async function cachedHashes(root = cacheDir()): Promise<string[]> {
  try {
    return (await readdir(join(root, "transpiled", TRANSPILED_DIR))).filter((name) => !name.endsWith(".tmp"));
  } catch {
    return [];
  }
}
