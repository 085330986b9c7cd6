// Compiles the engine to JavaScript, apps/engine/dist/main.js (and dist/migrate.js, which applies
// the migrations and exits), for production images
// (no tsx, no TypeScript at run time), and for the engine tests, which run the engine as shipped
// (test/engine-bundle-setup.ts builds it into another folder through buildEngine). The workspace packages (@weir/*) are bundled in; npm
// packages stay external and are loaded from node_modules as usual.
//
// Several modules find files beside themselves through `import.meta.url` (the JS sandbox's
// bootstrap, the wasm runtime's worker and guest, the WIT folder, Prisma's migrations). Bundled,
// every module would see the bundle's URL instead, so each module's `import.meta.url` is rewritten
// to its own source file's URL, relative to the bundle: the image keeps the repository's layout
// for those files, and every lookup resolves exactly as it does from source.
import { build } from "esbuild";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(engineDir, "../..");

/** Keeps each module's own `import.meta.url` (see above), relative to `outdir`. */
const ownImportMetaUrl = (outdir) => ({
  name: "own-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const relative = path.relative(outdir, args.path).split(path.sep).join("/");
      const own = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
      return {
        contents: source.replaceAll("import.meta.url", own),
        loader: path.extname(args.path).slice(1).replace(/^[cm]/, ""),
        resolveDir: path.dirname(args.path),
      };
    });
  },
});

/**
 * npm packages stay external; the workspace's own packages (TypeScript source) are bundled. A
 * package a workspace gets from its own nested node_modules (a version pinned apart from the
 * hoisted one, like runtime-wasm's jco) is imported by its path relative to the bundle, so the
 * bundle loads the same copy the source does.
 */
const externalNpmPackages = (outdir) => ({
  name: "external-npm-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith("@weir/") || args.path.startsWith("node:")) return undefined;
      if (args.pluginData === "resolving") return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "resolving",
      });
      const rootModules = path.join(repoRoot, "node_modules") + path.sep;
      if (
        resolved.errors.length > 0 ||
        resolved.path.startsWith(rootModules) ||
        !resolved.path.includes(`${path.sep}node_modules${path.sep}`)
      )
        return { path: args.path, external: true };
      const relative = path.relative(outdir, resolved.path).split(path.sep).join("/");
      return { path: relative.startsWith(".") ? relative : `./${relative}`, external: true };
    });
  },
});

/** Writes main.js, migrate.js and their chunks into `outdir` (any folder inside the repository). */
export async function buildEngine(outdir = path.join(engineDir, "dist")) {
  // Chunks are named by their hash: an earlier build's would stay beside the new ones.
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: {
      main: path.join(engineDir, "src/main.ts"),
      migrate: path.join(engineDir, "src/migrate-main.ts"),
    },
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    // Modules loaded on first use (import()) become chunks of their own, so the npm packages only
    // they import (@platformatic/kafka) load with them, not with every engine.
    splitting: true,
    target: "node24",
    sourcemap: true,
    logLevel: "warning",
    plugins: [ownImportMetaUrl(outdir), externalNpmPackages(outdir)],
  });
  return outdir;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outdir = await buildEngine();
  process.stdout.write(`built ${path.relative(process.cwd(), outdir)}/{main,migrate}.js\n`);
}
