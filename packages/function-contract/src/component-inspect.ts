// Is this a Weir function component? Read from its types only (jco's `component wit`), nothing
// runs: the API checks uploads with it, the `wasm` runtime before it starts one. Each passes the
// `componentWit` of the jco it already has (the runtime pins an older one), so this package
// brings no copy of its own.
import { errorMessage } from "@weir/domain";

/** jco's `componentWit`: the component's world as WIT text. */
export type ComponentWit = (bytes: Uint8Array) => Promise<string>;

/**
 * What the first eight bytes of a WebAssembly binary say: a core module (version 1) or a
 * component (version 0x0d, layer 1), or neither.
 */
export type BinaryKind = "component" | "core-module" | "not-wasm";

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

const byteAt = (bytes: Uint8Array, at: number): number => bytes[at] ?? 0;

export function binaryKind(bytes: Uint8Array): BinaryKind {
  if (bytes.length < 8 || MAGIC.some((byte, i) => bytes[i] !== byte)) return "not-wasm";
  const version = byteAt(bytes, 4) | (byteAt(bytes, 5) << 8);
  const layer = byteAt(bytes, 6) | (byteAt(bytes, 7) << 8);
  if (version === 1 && layer === 0) return "core-module";
  if (layer === 1) return "component";
  return "not-wasm";
}

/** The WIT package and world a function component targets (`wit/weir-function.wit`). */
export const WEIR_WORLD = "weir:function/function@0.1.0";
const WEIR_PACKAGE = "weir:function";
const WEIR_VERSION = "0.1.0";

/** The world's exports, as `wasm-tools component wit` prints a component built for it. */
const EXPECTED_EXPORTS: Record<string, string> = {
  init: "func(params: string, secrets: list<tuple<string, string>>) -> result<_, function-error>",
  process: "func(records: list<weir-record>) -> list<outcome>",
};

/** Interfaces the host provides: the world's own, and WASI without files or network. */
const WEIR_IMPORTS = new Set(
  ["log", "state", "types"].map((name) => `${WEIR_PACKAGE}/${name}@${WEIR_VERSION}`),
);
const WASI_IMPORT = /^wasi:(cli|io|clocks|random|filesystem)\/[a-z-]+@0\.2\.\d+$/;
const PROVIDED =
  `${WEIR_PACKAGE}/log and ${WEIR_PACKAGE}/state @${WEIR_VERSION}, and WASI 0.2 ` +
  "cli, io, clocks, random and filesystem (without files)";

export interface ComponentInspection {
  /** True when the bytes are a component the `wasm` runtime can run. */
  ok: boolean;
  kind: BinaryKind;
  /** What is wrong, one sentence each, naming the export or import; empty when `ok`. */
  problems: string[];
  /** The component's world as WIT text, when it is a valid component. */
  wit?: string;
}

/**
 * Checks that `bytes` are a WebAssembly component targeting the Weir world
 * (`weir:function/function@0.1.0`) and says exactly what is not: not WebAssembly at all, a core
 * module rather than a component, an invalid component, a missing or mistyped export, an import
 * the host does not provide. Reads the component's type information only; runs nothing.
 */
export async function inspectComponent(
  bytes: Uint8Array,
  componentWit: ComponentWit,
): Promise<ComponentInspection> {
  const kind = binaryKind(bytes);
  if (kind === "not-wasm") {
    return {
      ok: false,
      kind,
      problems: ["not a WebAssembly binary: it does not start with the `\\0asm` header of a component"],
    };
  }
  if (kind === "core-module") {
    return {
      ok: false,
      kind,
      problems: [
        `a core WebAssembly module, not a component: turn it into a component of the world ${WEIR_WORLD} ` +
          "(for example with `wasm-tools component new` and a WASI adapter, or a component toolchain)",
      ],
    };
  }
  let wit: string;
  try {
    wit = await componentWit(bytes);
  } catch (error) {
    return {
      ok: false,
      kind,
      problems: [`not a valid WebAssembly component: ${firstLine(errorMessage(error))}`],
    };
  }
  const problems = worldProblems(wit);
  return { ok: problems.length === 0, kind, problems, wit };
}

function worldProblems(wit: string): string[] {
  const problems: string[] = [];
  const exports = new Map<string, string>();
  const exportedInterfaces: string[] = [];
  const imports: string[] = [];
  for (const raw of wit.split("\n")) {
    const line = raw.trim();
    const exported = /^export ([a-z0-9-]+): (func.*);$/.exec(line);
    if (exported?.[1] && exported[2]) {
      exports.set(exported[1], exported[2]);
      continue;
    }
    const exportedInterface = /^export (.+);$/.exec(line);
    if (exportedInterface?.[1]) {
      exportedInterfaces.push(exportedInterface[1]);
      continue;
    }
    const imported = /^import (.+);$/.exec(line);
    if (imported?.[1]) imports.push(imported[1]);
  }
  for (const [name, signature] of Object.entries(EXPECTED_EXPORTS)) {
    const found = exports.get(name);
    if (found === undefined) {
      const asInterface = exportedInterfaces.find(
        (item) => item.endsWith(`/${name}`) || item.includes(`/${name}@`),
      );
      problems.push(
        `missing export \`${name}\` (\`${name}: ${signature}\`, a function of the world ${WEIR_WORLD}` +
          (asInterface ? `; found an interface \`${asInterface}\` instead` : "") +
          ")",
      );
    } else if (normalise(found) !== normalise(signature)) {
      problems.push(`export \`${name}\` has the wrong type: expected \`${signature}\`, found \`${found}\``);
    }
  }
  const usesWeirTypes = /use weir:function\/types@([^.]+\.[^.]+\.[^.]+)\./.exec(wit);
  if (exports.has("process") && usesWeirTypes && usesWeirTypes[1] !== WEIR_VERSION) {
    problems.push(
      `the exports use weir:function/types@${usesWeirTypes[1]}; this host runs weir:function@${WEIR_VERSION}`,
    );
  }
  for (const item of imports) {
    if (item.includes(": func")) {
      const name = item.slice(0, item.indexOf(":"));
      problems.push(
        `import \`${name}\` (a bare function) is not provided by the host: it provides ${PROVIDED}`,
      );
    } else if (!WEIR_IMPORTS.has(item) && !WASI_IMPORT.test(item)) {
      problems.push(`import \`${item}\` is not provided by the host: it provides ${PROVIDED}`);
    }
  }
  return problems;
}

function normalise(signature: string): string {
  return signature.replace(/\s+/g, " ").trim();
}

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim() !== "") ?? text;
}
