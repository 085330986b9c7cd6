// Lists every file the engine's bundle (dist/main.js, dist/migrate.js) reads at run time: the
// npm packages it loads and their data files (WebAssembly, workers, native binaries), and the
// repository files it opens beside its sources. The production image copies exactly these
// (apps/engine/Dockerfile) instead of every dependency of every workspace.
// Usage: node apps/engine/scripts/trace.mjs <repository root> > files.txt
import { nodeFileTrace } from "@vercel/nft";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? ".");
const entries = ["apps/engine/dist/main.js", "apps/engine/dist/migrate.js"].map((file) =>
  path.join(root, file),
);
const { fileList, warnings } = await nodeFileTrace(entries, { base: root, mixedModules: true });
for (const warning of warnings) {
  // Reported, not fatal: the image is tested by running both function runtimes in it. (nft also
  // tries to parse the TypeScript sources that the bundle's import.meta.url rewrites point at.)
  if (!/\.ts as module/.test(warning.message)) process.stderr.write(`trace: ${warning.message}\n`);
}

const files = new Set(fileList);

/** The package folder (relative to root) holding `file`, e.g. node_modules/@scope/name. */
function packageDirOf(file) {
  const parts = file.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return undefined;
  const length = parts[at + 1]?.startsWith("@") ? at + 3 : at + 2;
  return parts.slice(0, length).join("/");
}

function addTree(dir) {
  for (const name of readdirSync(path.join(root, dir))) {
    const child = `${dir}/${name}`;
    if (statSync(path.join(root, child)).isDirectory()) addTree(child);
    else files.add(child);
  }
}

// Packages that ship their native binary as a per-platform optional dependency load it by a
// computed name, which no tracer can follow: take every installed optional dependency whole.
for (const dir of new Set([...files].map(packageDirOf).filter(Boolean))) {
  const manifest = path.join(root, dir, "package.json");
  if (!existsSync(manifest)) continue;
  const optional = Object.keys(JSON.parse(readFileSync(manifest, "utf8")).optionalDependencies ?? {});
  for (const name of optional) {
    const modules = dir.slice(0, dir.lastIndexOf("node_modules") + "node_modules".length);
    const candidates = [`${dir}/node_modules/${name}`, `${modules}/${name}`, `node_modules/${name}`];
    const found = candidates.find((candidate) => existsSync(path.join(root, candidate, "package.json")));
    if (found) addTree(found);
  }
}

// Packages whose files are loaded by a computed path (runtime-wasm's worker/wasi.js takes jco's
// browser WASI shims from beside the package's Node entry point): taken whole.
const LOADED_BY_PATH = ["@bytecodealliance/preview2-shim"];
for (const name of LOADED_BY_PATH)
  for (const dir of [`packages/runtime-wasm/node_modules/${name}`, `node_modules/${name}`])
    if (existsSync(path.join(root, dir, "package.json"))) addTree(dir);

// Local caches and the TypeScript sources the bundle already holds are not run-time files.
const needed = [...files].filter((file) => !file.startsWith(".weir/") && !/\.[cm]?ts$/.test(file));
process.stdout.write(needed.sort().join("\n") + "\n");
