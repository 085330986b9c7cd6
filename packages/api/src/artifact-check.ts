// Whether uploaded bytes are a component the wasm runtime can run.
// TEMPORARY until @weir/runtime-wasm's component check lands: the same questions, answered
// from the component's WIT as jco prints it.
import { componentWit } from "@bytecodealliance/jco";

export type ArtifactCheck =
  { ok: true; world: string; imports: string[]; exports: string[] } | { ok: false; message: string };

const WORLD = "weir:function/function@0.1.0";
const REQUIRED_EXPORTS = {
  init: "func(params: string, secrets: list<tuple<string, string>>) -> result<_, function-error>",
  process: "func(records: list<weir-record>) -> list<outcome>",
};
const REFUSED_IMPORTS = ["wasi:sockets/", "wasi:http/"];

export async function checkArtifact(bytes: Uint8Array): Promise<ArtifactCheck> {
  const kind = binaryKind(bytes);
  if (kind === "not-wasm") return { ok: false, message: "this is not WebAssembly (no \\0asm header)" };
  if (kind === "core-module") {
    return {
      ok: false,
      message:
        "this is a core WebAssembly module, not a component: wrap it into a component for wit/weir-function.wit (jco componentNew or wasm-tools component new)",
    };
  }
  let wit: string;
  try {
    wit = await componentWit(bytes);
  } catch (error) {
    return { ok: false, message: `the component does not decode: ${String(error)}` };
  }
  const imports = [...wit.matchAll(/^\s*import ([\w:/.@-]+);/gm)].map((m) => m[1] ?? "");
  const exports = [...wit.matchAll(/^\s*export ([\w-]+): (.*);$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]);
  const missing = Object.entries(REQUIRED_EXPORTS)
    .filter(([name, type]) => !exports.some(([n, t]) => n === name && t === type))
    .map(([name, type]) => `${name}: ${type}`);
  if (missing.length > 0) {
    return {
      ok: false,
      message: `it does not target the ${WORLD} world: missing export${missing.length > 1 ? "s" : ""} ${missing.join("; ")}`,
    };
  }
  const refused = imports.filter((name) => REFUSED_IMPORTS.some((prefix) => name.startsWith(prefix)));
  if (refused.length > 0)
    return { ok: false, message: `it imports what Weir does not provide: ${refused.join(", ")}` };
  return { ok: true, world: WORLD, imports, exports: exports.map(([name]) => name ?? "") };
}

function binaryKind(bytes: Uint8Array): "component" | "core-module" | "not-wasm" {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((byte, i) => bytes[i] !== byte)) return "not-wasm";
  if (bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return "core-module";
  return bytes[6] === 1 && bytes[7] === 0 ? "component" : "not-wasm";
}
