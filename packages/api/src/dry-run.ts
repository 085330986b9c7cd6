// A whole flow run on sample records without deploying it (issue #11, part B): the records
// enter at one source and follow the edges in topological order; every function node runs in a
// live engine under its own sandbox and limits (the engine's /trigger, as the Test button uses),
// and every sink only captures what it would have written. Pure: the caller says how a function
// runs, so this is tested without an engine.
import type { FlowNode, FlowSpec, JsonValue } from "@weir/domain";
import type { TriggerLogLine, TriggerResult } from "./router/functions";

/** A record as the dry run shows it; what a function returned, or a sample as it was given. */
export interface DryRunRecord {
  value: JsonValue;
  key?: string | null;
  headers?: Record<string, string>;
  timestamp?: number;
}

export interface DryRunNode {
  nodeId: string;
  /** Records that reached the node (for the source: the samples). */
  recordsIn: number;
  /** Records it passed on (a sink passes none on: see `captured`). */
  recordsOut: number;
  /** ctx.log lines of a function. */
  logs: TriggerLogLine[];
  /** Records a function failed on: deployed, they would be retried and then dead-lettered. */
  errors: { record: number; message: string; line?: number }[];
  /** Code that did not compile (the function ran on nothing). */
  problems: { message: string; line?: number; column?: number }[];
  /** What a sink would have written; nothing was sent. */
  captured: DryRunRecord[] | null;
}

export interface DryRunResult {
  source: string;
  /** Every edge of the flow, with the records that crossed it, in order. */
  edges: { edgeId: string; records: DryRunRecord[] }[];
  /** Every node, in the order the run visited them (nodes no record reached have recordsIn 0). */
  nodes: DryRunNode[];
}

/** Runs one function node on records, as the engine's /trigger does. */
export type RunFunction = (node: FlowNode, records: DryRunRecord[]) => Promise<TriggerResult>;

/** Most records one trigger call takes (functions.trigger's limit); more are run in chunks. */
export const TRIGGER_CHUNK = 1000;

/** Nodes in an order where every edge goes forward (the flow was validated: no cycles). */
export function topologicalOrder(spec: FlowSpec): FlowNode[] {
  const incoming = new Map(spec.nodes.map((n) => [n.id, 0]));
  for (const edge of spec.edges) incoming.set(edge.to.node, (incoming.get(edge.to.node) ?? 0) + 1);
  const ready = spec.nodes.filter((n) => incoming.get(n.id) === 0);
  const byId = new Map(spec.nodes.map((n) => [n.id, n]));
  const order: FlowNode[] = [];
  while (ready.length > 0) {
    const node = ready.shift() as FlowNode;
    order.push(node);
    for (const edge of spec.edges.filter((e) => e.from.node === node.id)) {
      const left = (incoming.get(edge.to.node) ?? 0) - 1;
      incoming.set(edge.to.node, left);
      const next = byId.get(edge.to.node);
      if (left === 0 && next) ready.push(next);
    }
  }
  return order;
}

/** The records a trigger result passed on, per port, and what failed, numbered from `first`. */
function collect(
  result: Extract<TriggerResult, { ok: true }>,
  first: number,
  byPort: Map<string, DryRunRecord[]>,
  errors: DryRunNode["errors"],
): void {
  result.results.forEach((outcome, i) => {
    if (outcome.error) {
      errors.push({
        record: first + i,
        message: outcome.error.message,
        ...(outcome.error.line !== undefined ? { line: outcome.error.line } : {}),
      });
      return;
    }
    for (const [port, records] of Object.entries(outcome.outputs)) {
      const list = byPort.get(port) ?? [];
      list.push(...records);
      byPort.set(port, list);
    }
  });
}

export async function dryRunFlow(
  spec: FlowSpec,
  sourceId: string,
  samples: DryRunRecord[],
  runFunction: RunFunction,
): Promise<DryRunResult> {
  const source = spec.nodes.find((n) => n.id === sourceId);
  if (source?.kind !== "source") throw new Error(`'${sourceId}' is not a source of this flow`);
  const edges = new Map(spec.edges.map((e) => [e.id, [] as DryRunRecord[]]));
  const inbox = new Map<string, DryRunRecord[]>();
  const send = (from: string, port: string | null, records: DryRunRecord[]): void => {
    for (const edge of spec.edges) {
      if (edge.from.node !== from || (port !== null && edge.from.port !== port)) continue;
      edges.get(edge.id)?.push(...records);
      inbox.set(edge.to.node, [...(inbox.get(edge.to.node) ?? []), ...records]);
    }
  };
  const nodes: DryRunNode[] = [];
  for (const node of topologicalOrder(spec)) {
    const run: DryRunNode = {
      nodeId: node.id,
      recordsIn: 0,
      recordsOut: 0,
      logs: [],
      errors: [],
      problems: [],
      captured: null,
    };
    nodes.push(run);
    if (node.kind === "source") {
      // Only the chosen source emits: the samples leave along each of its edges.
      if (node.id !== sourceId) continue;
      run.recordsIn = samples.length;
      run.recordsOut = samples.length;
      send(node.id, null, samples);
      continue;
    }
    const records = inbox.get(node.id) ?? [];
    run.recordsIn = records.length;
    if (node.kind === "sink") {
      run.captured = records;
      continue;
    }
    if (records.length === 0) continue;
    const byPort = new Map<string, DryRunRecord[]>();
    for (let first = 0; first < records.length; first += TRIGGER_CHUNK) {
      const result = await runFunction(node, records.slice(first, first + TRIGGER_CHUNK));
      run.logs.push(...result.logs);
      if (!result.ok) {
        run.problems = result.problems;
        break;
      }
      collect(result, first, byPort, run.errors);
    }
    for (const [port, out] of byPort) {
      run.recordsOut += out.length;
      send(node.id, port, out);
    }
  }
  return { source: sourceId, edges: [...edges].map(([edgeId, records]) => ({ edgeId, records })), nodes };
}
