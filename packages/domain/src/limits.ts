// Limits on what a client may send, checked first and cheaply (one iterative walk, no recursion),
// so that no input can overflow a stack, stall a compile or reach Postgres as text it refuses.
import type { Problem } from "./problem";

export const LIMITS = {
  /** Nesting of objects and arrays in any input value (a procedure's input, a record). */
  inputDepth: 64,
  /** Nesting of objects and arrays inside one node's config (a generator template, params). */
  configDepth: 32,
  /** Characters in one object key anywhere in an input. */
  keyChars: 256,
  /** Nodes in one flow. */
  flowNodes: 500,
  /** Edges in one flow. */
  flowEdges: 2_000,
  /** UTF-8 bytes of one function node's code. */
  codeBytes: 256 * 1024,
  /** A flow spec's size (characters of its strings and keys, 8 per number/boolean/null): bounds `flow.get`. */
  flowChars: 4 * 1024 * 1024,
  /** Characters of one string in a connection profile's config or secrets (a password, a broker). */
  connectionStringChars: 1024,
  /** The largest integer a Postgres `integer` column holds (flow version numbers). */
  int32Max: 2_147_483_647,
} as const;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored as Postgres text or jsonb, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000), which cannot be stored";
  if (LONE_SURROGATE.test(text))
    return "contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored";
  return null;
}

export interface JsonCheckOptions {
  /** Deepest nesting of objects and arrays allowed; the value itself is depth 0. */
  maxDepth: number;
  maxKeyChars?: number;
  /** Longest string value allowed (no limit unless given). */
  maxStringChars?: number;
  /** Prefix for the problems' paths. */
  path?: (string | number)[];
  /** Stop after this many problems (default 20). */
  maxProblems?: number;
}

export interface JsonCheck {
  problems: Problem[];
  /** Characters of strings and keys plus 8 per other leaf: an estimate of the value's size. */
  chars: number;
}

/**
 * Walks a JSON-like value without recursion and reports text that cannot be stored (NUL, lone
 * surrogates, in values and keys), keys that are too long and nesting deeper than `maxDepth`
 * (below which it does not descend, so a value nested 10,000 deep costs 64 steps).
 */
export function checkJsonValue(value: unknown, options: JsonCheckOptions): JsonCheck {
  const maxProblems = options.maxProblems ?? 20;
  const maxKeyChars = options.maxKeyChars ?? LIMITS.keyChars;
  const problems: Problem[] = [];
  let chars = 0;
  const report = (path: (string | number)[], message: string, code: Problem["code"]): void => {
    if (problems.length < maxProblems) problems.push({ path, message, code });
  };

  /** Checks a leaf; true when `child` is an object or array to descend into. */
  const leaf = (child: unknown, path: () => (string | number)[]): boolean => {
    if (typeof child === "string") {
      chars += child.length;
      if (options.maxStringChars !== undefined && child.length > options.maxStringChars) {
        report(path(), `longer than the limit of ${options.maxStringChars} characters`, "too_large");
      } else {
        const problem = textProblem(child);
        if (problem) report(path(), problem, "invalid_text");
      }
      return false;
    }
    if (typeof child !== "object" || child === null) {
      chars += 8;
      return false;
    }
    return true;
  };

  // Depth-first with one frame per open object or array: memory grows with the depth (which is
  // bounded), never with the number of elements, and paths are built only for problems.
  interface Frame {
    container: object;
    keys: string[] | null;
    next: number;
    path: (string | number)[];
  }
  const root = options.path ?? [];
  const frames: Frame[] = [];
  const open = (container: object, path: (string | number)[]): void => {
    if (frames.length >= options.maxDepth) {
      report(path, `nested deeper than the limit of ${options.maxDepth} levels`, "too_deep");
      return;
    }
    frames.push({ container, keys: Array.isArray(container) ? null : Object.keys(container), next: 0, path });
  };
  if (leaf(value, () => root)) open(value as object, root);
  while (frames.length > 0 && problems.length < maxProblems) {
    const frame = frames[frames.length - 1] as Frame;
    const size = frame.keys ? frame.keys.length : (frame.container as unknown[]).length;
    if (frame.next >= size) {
      frames.pop();
      continue;
    }
    const index = frame.next;
    frame.next += 1;
    if (frame.keys === null) {
      const child = (frame.container as unknown[])[index];
      if (leaf(child, () => [...frame.path, index])) open(child as object, [...frame.path, index]);
      continue;
    }
    const key = frame.keys[index] as string;
    chars += key.length;
    const keyPath = (): (string | number)[] => [
      ...frame.path,
      key.length > 64 ? `${key.slice(0, 64)}…` : key,
    ];
    if (key.length > maxKeyChars) {
      report(keyPath(), `key is longer than the limit of ${maxKeyChars} characters`, "too_large");
      continue;
    }
    const keyProblem = textProblem(key);
    if (keyProblem) {
      report(keyPath(), `key ${keyProblem}`, "invalid_text");
      continue;
    }
    const child = (frame.container as Record<string, unknown>)[key];
    if (leaf(child, keyPath)) open(child as object, keyPath());
  }
  return { problems, chars };
}

const utf8Bytes = (text: string): number => {
  // Counted without allocating: code units below 0x80 are 1 byte, below 0x800 2, pairs 4, else 3.
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
};

/**
 * The size limits of a flow, checked on the raw input before its schema, its graph or its code:
 * node and edge counts, config depth, code size, stored text and the spec's total size. Returns
 * the problems found (empty when within every limit).
 */
export function checkFlowLimits(input: unknown): Problem[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return [];
  const spec = input as { nodes?: unknown; edges?: unknown };
  const problems: Problem[] = [];
  if (Array.isArray(spec.nodes) && spec.nodes.length > LIMITS.flowNodes) {
    problems.push({
      path: ["nodes"],
      message: `a flow has at most ${LIMITS.flowNodes} nodes (this one has ${spec.nodes.length})`,
      code: "too_large",
    });
  }
  if (Array.isArray(spec.edges) && spec.edges.length > LIMITS.flowEdges) {
    problems.push({
      path: ["edges"],
      message: `a flow has at most ${LIMITS.flowEdges} edges (this one has ${spec.edges.length})`,
      code: "too_large",
    });
  }
  if (problems.length > 0) return problems;
  if (Array.isArray(spec.nodes)) {
    spec.nodes.forEach((node: unknown, index) => {
      if (typeof node !== "object" || node === null) return;
      const { code } = (node as { config?: { code?: unknown } }).config ?? {};
      if (
        typeof code === "string" &&
        code.length > LIMITS.codeBytes / 4 &&
        utf8Bytes(code) > LIMITS.codeBytes
      ) {
        problems.push({
          path: ["nodes", index, "config", "code"],
          message: `code is larger than the limit of ${LIMITS.codeBytes} bytes (${LIMITS.codeBytes / 1024} KiB) per function node`,
          code: "too_large",
        });
      }
    });
  }
  // Configs are one level under nodes[i]: two levels for nodes[i], one for config.
  const configDepth = LIMITS.configDepth + 3;
  const walk = checkJsonValue(input, { maxDepth: configDepth });
  for (const problem of walk.problems) {
    if (problem.code === "too_deep") {
      problems.push({
        path: problem.path,
        message:
          problem.path[0] === "nodes" && problem.path[2] === "config"
            ? `config value nested deeper than the limit of ${LIMITS.configDepth} levels`
            : problem.message,
        code: "too_deep",
      });
    } else problems.push(problem);
  }
  if (walk.chars > LIMITS.flowChars) {
    problems.push({
      path: [],
      message: `a flow spec is at most ${LIMITS.flowChars} characters of text (this one has about ${walk.chars})`,
      code: "too_large",
    });
  }
  return problems;
}
