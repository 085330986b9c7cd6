/** One thing wrong with a flow, located by a JSON path into the submitted document. */
export interface Problem {
  path: (string | number)[];
  message: string;
  code: ProblemCode;
  /** For problems inside a function's code: 1-based position in that code. */
  line?: number;
  column?: number;
}

export type ProblemCode =
  | "invalid_shape"
  | "duplicate_id"
  | "unknown_node_type"
  | "kind_mismatch"
  | "source_parallelism"
  | "invalid_config"
  | "missing_code"
  | "code_error"
  | "missing_artifact"
  | "missing_secret"
  | "missing_connection"
  | "invalid_port"
  | "missing_node"
  /** A request's body names a version its flow does not have. */
  | "missing_version"
  | "missing_port"
  | "source_has_input"
  | "sink_has_output"
  | "cycle"
  /** An edge whose sending port's type does not fit the receiving node's input type. */
  | "incompatible_types"
  /** Text Postgres cannot store: a NUL character or a lone UTF-16 surrogate. */
  | "invalid_text"
  /** Over a size limit (see LIMITS). */
  | "too_large"
  /** Nested deeper than a depth limit. */
  | "too_deep"
  /**
   * A note, never an error: a port's type could not be looked up (a schema registry down or
   * silent, a subject it does not have), so the edges at that port were not type-checked.
   */
  | "registry_type_skipped";

/** `nodes[2].config.intervalMs`: the form editors and humans read paths in. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(root)" : out;
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join("\n");
}
