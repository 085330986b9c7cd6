// The flow file (flows as code, as `weir flows export` writes and `weir flows apply` reads) for the
// editor's Export and Import: YAML of the flow as the editor holds it (its test cases too), and
// back. Code must be inline, since a browser cannot read the `{ file }` next to a flow file.
import { flowSpecSchema, formatPath } from "@weir/domain";
import { parse, stringify } from "yaml";
import { docOfSpec } from "./graph";
import type { FlowDoc } from "./graph";

export function flowDocToYaml(doc: FlowDoc): string {
  const plain = JSON.parse(JSON.stringify(doc)) as unknown;
  return stringify(plain, { lineWidth: 0, blockQuote: "literal" });
}

/** The flow a file's text holds, or the problems (with their JSON paths) that stop the import. */
export function flowDocFromText(
  text: string,
): { ok: true; doc: FlowDoc } | { ok: false; problems: string[] } {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: false });
  } catch (error) {
    return { ok: false, problems: [`not YAML or JSON: ${(error as Error).message.split("\n")[0] ?? ""}`] };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return { ok: false, problems: ["a flow file holds an object (name, nodes, edges)"] };
  const flow = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (Array.isArray(flow.nodes)) {
    flow.nodes.forEach((node: unknown, i) => {
      const code = (node as { config?: { code?: unknown } } | null)?.config?.code;
      if (typeof code === "object" && code !== null)
        problems.push(
          `nodes[${i}].config.code: code from a file cannot be read here; export with \`weir flows export\` (no --code-dir) to inline it`,
        );
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  const parsed = flowSpecSchema.safeParse(flow);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) =>
          `${formatPath(issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))) || "(file)"}: ${issue.message}`,
      ),
    };
  return { ok: true, doc: docOfSpec(parsed.data) };
}
