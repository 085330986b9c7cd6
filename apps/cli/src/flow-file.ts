// Flows as code: a flow file is a flow spec in YAML or JSON, whose function nodes may take their
// code from a file next to it (`code: { file: ./double.ts }`). Loading checks the file the way the
// server would (shape, unknown fields, node types, graph) and locates every problem by file, line
// and JSON path; export writes the same format back, so export → apply changes nothing.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { builtinRegistry } from "@weir/connectors/definitions";
import { flowEdgeSchema, flowNodeSchema, flowSpecSchema, formatPath, validateFlow } from "@weir/domain";
import type { FlowSpec, FlowTest } from "@weir/domain";
import { LineCounter, isNode, parseDocument, stringify } from "yaml";
import type { Document } from "yaml";
import { CliError, EXIT } from "./errors";

export type JsonPath = (string | number)[];

export interface FileProblem {
  path: JsonPath;
  message: string;
}

export interface LoadedFlow {
  file: string;
  /** The spec as the server will store it (defaults filled in), code files read in. */
  spec: FlowSpec;
  /** The file's `tests:` cases (part of the spec: stored and versioned with the flow). */
  tests: FlowTest[];
  /** `file:line: path: message` for a path in this file (a server's problem, say). */
  locate(path: JsonPath): string;
}

const KNOWN_TOP = new Set(Object.keys(flowSpecSchema.shape));
const KNOWN_NODE = new Set(Object.keys(flowNodeSchema.shape));
const KNOWN_EDGE = new Set(Object.keys(flowEdgeSchema.shape));
const KNOWN_FROM = new Set(Object.keys(flowEdgeSchema.shape.from.shape));
const KNOWN_TO = new Set(Object.keys(flowEdgeSchema.shape.to.shape));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unknownKeys(value: unknown, known: ReadonlySet<string>, path: JsonPath): FileProblem[] {
  if (!isObject(value)) return [];
  return Object.keys(value)
    .filter((key) => !known.has(key))
    .map((key) => ({
      path: [...path, key],
      message: `unknown field "${key}" (expected one of: ${[...known].join(", ")})`,
    }));
}

/** Fields the flow format does not have, anywhere but inside a node's config (checked by its type). */
function checkFields(raw: unknown): FileProblem[] {
  if (!isObject(raw)) return [{ path: [], message: "a flow file holds an object (name, nodes, edges)" }];
  const problems = unknownKeys(raw, KNOWN_TOP, []);
  if (Array.isArray(raw.nodes)) {
    raw.nodes.forEach((node, i) => problems.push(...unknownKeys(node, KNOWN_NODE, ["nodes", i])));
  }
  if (Array.isArray(raw.edges)) {
    raw.edges.forEach((edge, i) => {
      problems.push(...unknownKeys(edge, KNOWN_EDGE, ["edges", i]));
      if (isObject(edge)) {
        problems.push(...unknownKeys(edge.from, KNOWN_FROM, ["edges", i, "from"]));
        problems.push(...unknownKeys(edge.to, KNOWN_TO, ["edges", i, "to"]));
      }
    });
  }
  return problems;
}

/** Replaces each `code: { file }` by the file's text, read relative to the flow file. */
function readCodeFiles(raw: unknown, baseDir: string): FileProblem[] {
  if (!isObject(raw) || !Array.isArray(raw.nodes)) return [];
  const problems: FileProblem[] = [];
  raw.nodes.forEach((node, i) => {
    if (!isObject(node) || !isObject(node.config) || !isObject(node.config.code)) return;
    const config = node.config;
    const ref = node.config.code;
    const path: JsonPath = ["nodes", i, "config", "code"];
    const extra = Object.keys(ref).filter((key) => key !== "file");
    if (extra.length > 0) {
      problems.push(
        ...extra.map((key) => ({
          path: [...path, key],
          message: `unknown field "${key}" (code takes a string or { file })`,
        })),
      );
      return;
    }
    if (typeof ref.file !== "string" || ref.file === "") {
      problems.push({
        path: [...path, "file"],
        message: "must be the path of a code file, relative to the flow file",
      });
      return;
    }
    const target = resolve(baseDir, ref.file);
    try {
      config.code = readFileSync(target, "utf8");
    } catch (error) {
      const why =
        (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (error as Error).message;
      problems.push({
        path: [...path, "file"],
        message: `code file ${ref.file} ${why} (looked for ${target})`,
      });
    }
  });
  return problems;
}

/** The 1-based line of the deepest part of `path` present in the document. */
function lineOf(doc: Document, counter: LineCounter, path: JsonPath): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return null;
}

function parseText(file: string, text: string): { raw: unknown; doc: Document; counter: LineCounter } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = counter.linePos(first.pos[0]).line;
    const message = first.message.split("\n")[0] ?? first.message;
    throw new CliError(EXIT.usage, `${file}:${line}: malformed ${formatOf(file)}: ${message}`);
  }
  if (formatOf(file) === "JSON") {
    try {
      JSON.parse(text);
    } catch (error) {
      throw new CliError(EXIT.usage, `${file}: malformed JSON: ${(error as Error).message}`);
    }
  }
  return { raw: doc.toJS({ maxAliasCount: 100 }) as unknown, doc, counter };
}

const formatOf = (file: string): "JSON" | "YAML" =>
  extname(file).toLowerCase() === ".json" ? "JSON" : "YAML";

/**
 * Reads and checks a flow file. Every problem (malformed text, an unknown field, a missing code
 * file, a flow that does not validate) is thrown as one CliError listing `file:line: path: message`.
 */
export function loadFlowFile(file: string): LoadedFlow {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliError(EXIT.usage, `${file}: ${why}`);
  }
  const { raw, doc, counter } = parseText(file, text);
  const locate = (path: JsonPath): string => {
    const line = lineOf(doc, counter, path);
    return `${file}${line === null ? "" : `:${line}`}: ${formatPath(path)}`;
  };
  const fail = (problems: readonly FileProblem[]): never => {
    const noun = problems.length === 1 ? "problem" : "problems";
    throw new CliError(
      EXIT.usage,
      `${file}: ${problems.length} ${noun}; nothing was sent`,
      problems.map((p) => `${locate(p.path)}: ${p.message}`),
    );
  };
  const shape = checkFields(raw);
  if (shape.length > 0) fail(shape);
  const code = readCodeFiles(raw, dirname(file));
  if (code.length > 0) fail(code);
  const result = validateFlow(raw, builtinRegistry);
  if (!result.ok) fail(result.problems);
  const spec = (result as { ok: true; flow: FlowSpec }).flow;
  return { file, spec, tests: spec.tests ?? [], locate };
}

/** The flow file text for a stored spec: the same format `loadFlowFile` reads. */
export function formatFlowFile(spec: FlowSpec, format: "yaml" | "json"): string {
  const plain = JSON.parse(JSON.stringify(spec)) as Json;
  if (format === "json") return `${JSON.stringify(plain, null, 2)}\n`;
  return stringify(plain, { lineWidth: 0, blockQuote: "literal" });
}

/** The format to write for an output path (YAML unless it ends in .json). */
export function formatForPath(path: string | undefined): "yaml" | "json" {
  return path !== undefined && extname(path).toLowerCase() === ".json" ? "json" : "yaml";
}

/**
 * The spec with each function's inline code written to `<codeDir>/<node id>.ts` (`.js` for
 * JavaScript, `.py` for Python) and replaced by `{ file }` relative to the flow file; `written`
 * gets the paths.
 */
export function withCodeFiles(
  spec: FlowSpec,
  flowFile: string,
  codeDir: string,
  written: string[],
): FlowSpec {
  mkdirSync(codeDir, { recursive: true });
  return {
    ...spec,
    nodes: spec.nodes.map((node) => {
      const code = node.config.code;
      if (node.kind !== "function" || typeof code !== "string") return node;
      const extension =
        node.config.language === "javascript" ? "js" : node.config.language === "python" ? "py" : "ts";
      const target = join(codeDir, `${node.id}.${extension}`);
      writeFileSync(target, code);
      written.push(target);
      const rel = relative(dirname(resolve(flowFile)), resolve(target))
        .split(sep)
        .join("/");
      return { ...node, config: { ...node.config, code: { file: rel.startsWith(".") ? rel : `./${rel}` } } };
    }),
  };
}
