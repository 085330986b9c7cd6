// WASI 0.2 for components whose toolchain links it in (Go, Python, Rust std): jco's browser
// shims, which touch nothing of the machine. No preopened directories (no files), no
// environment variables or arguments, no sockets or HTTP (inspect.ts rejects components that
// import them); clocks and randomness are real; stdout and stderr become log lines.
//
// The package's exports map gives Node its Node shims (real files, sockets, environment); the
// browser ones are loaded by path, next to the Node entry point.
const nodeEntry = import.meta.resolve("@bytecodealliance/preview2-shim");
const browserShim = (name) => import(new URL(`../browser/${name}.js`, nodeEntry).href);
const [cli, clocks, filesystem, io, random] = await Promise.all(
  ["cli", "clocks", "filesystem", "io", "random"].map(browserShim),
);

const kebab = (name) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** `wasi:<package>/<interface>` → the shim's implementation, e.g. `wasi:cli/terminal-input`. */
export function wasiImports(log) {
  // The browser shims write stdout and stderr lines with console.log / console.error; this
  // worker has no other use for its console.
  console.log = (line) => log("info", String(line));
  console.error = (line) => log("error", String(line));
  const imports = {};
  for (const [pkg, shim] of Object.entries({ cli, clocks, filesystem, io, random })) {
    for (const [name, value] of Object.entries(shim)) {
      if (name.startsWith("_") || typeof value !== "object" || value === null) continue;
      imports[`wasi:${pkg}/${kebab(name)}`] = value;
    }
  }
  return imports;
}
