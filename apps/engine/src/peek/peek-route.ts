import { z } from "zod";
import type { FlowSpec } from "@weir/domain";
import { functionConfigSchema } from "@weir/domain";
import { redact } from "../stores/secret-store";
import type { EdgePeeks, PeekReading } from "./edge-peeks";

/** The longest lease a watcher may ask for: a closed panel stops costing anything within it. */
export const MAX_PEEK_LEASE_MS = 60_000;

/** `POST /peek` (internal key): take or renew a watcher's lease on an edge, or end it with `stop`. */
export const peekRequestSchema = z.object({
  deploymentId: z.string().min(1).max(100),
  edgeId: z.string().min(1).max(200),
  watcher: z.string().min(1).max(100),
  leaseMs: z.number().int().min(1000).max(MAX_PEEK_LEASE_MS).default(10_000),
  stop: z.boolean().default(false),
});

export type PeekAnswer =
  ({ running: true } & PeekReading) | { running: false } | { running: true; stopped: true };

/** What the engine knows of a deployment it runs here (either runner role). */
export interface PeekDeps {
  peeks: EdgePeeks;
  specOf(deploymentId: string): FlowSpec | undefined;
  secrets(names: readonly string[]): Promise<Record<string, string>>;
}

/**
 * Answers one peek call. A deployment this engine does not run answers `running: false` (the API
 * asks every live engine and merges what the others hold); an unknown edge is an error.
 */
export async function answerPeek(body: unknown, deps: PeekDeps): Promise<PeekAnswer> {
  const request = peekRequestSchema.parse(body);
  const spec = deps.specOf(request.deploymentId);
  if (!spec) {
    deps.peeks.unwatch(request.deploymentId, request.edgeId, request.watcher);
    return { running: false };
  }
  if (request.stop) {
    deps.peeks.unwatch(request.deploymentId, request.edgeId, request.watcher);
    return { running: true, stopped: true };
  }
  const edge = spec.edges.find((e) => e.id === request.edgeId);
  if (!edge) throw new Error(`edgeId: the deployed flow has no edge '${request.edgeId}'`);
  const reading = await deps.peeks.watch({
    deploymentId: request.deploymentId,
    edge: { id: edge.id, fromNode: edge.from.node, port: edge.from.port },
    watcher: request.watcher,
    leaseMs: request.leaseMs,
    redactor: async () => {
      const secrets = await deps.secrets(secretNames(spec));
      return (text) => redact(text, secrets);
    },
  });
  return { running: true, ...reading };
}

/** Every secret a function of the flow can read, so none of them shows in a sampled record. */
function secretNames(spec: FlowSpec): string[] {
  const names = new Set<string>();
  for (const node of spec.nodes) {
    if (node.kind !== "function") continue;
    const parsed = functionConfigSchema.safeParse(node.config);
    if (parsed.success) for (const name of parsed.data.secrets) names.add(name);
  }
  return [...names];
}
