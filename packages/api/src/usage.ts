// Which flows use a secret, a connection profile or a component, so the pages that manage them
// can say so and a delete can name what it would break. A flow uses a name when its newest saved
// version or the version it runs names it (a running older version still reads it).
import type { Db } from "@weir/db";

export interface FlowRef {
  id: string;
  name: string;
}

export interface Usage {
  secrets: ReadonlyMap<string, FlowRef[]>;
  connections: ReadonlyMap<string, FlowRef[]>;
  artifacts: ReadonlyMap<string, FlowRef[]>;
}

interface SpecNode {
  config?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function add(map: Map<string, FlowRef[]>, key: string, flow: FlowRef): void {
  const list = map.get(key) ?? [];
  if (!list.some((f) => f.id === flow.id)) list.push(flow);
  map.set(key, list);
}

/** Pure: the names each flow's specs refer to, as name → flows (each flow once, in input order). */
export function usageOf(specs: readonly { flow: FlowRef; spec: unknown }[]): Usage {
  const secrets = new Map<string, FlowRef[]>();
  const connections = new Map<string, FlowRef[]>();
  const artifacts = new Map<string, FlowRef[]>();
  for (const { flow, spec } of specs) {
    const nodes: unknown = isRecord(spec) ? spec.nodes : undefined;
    if (!Array.isArray(nodes)) continue;
    for (const node of nodes as SpecNode[]) {
      const config = isRecord(node) ? node.config : undefined;
      if (!isRecord(config)) continue;
      if (Array.isArray(config.secrets)) {
        for (const name of config.secrets) if (typeof name === "string") add(secrets, name, flow);
      }
      if (typeof config.connection === "string") add(connections, config.connection, flow);
      // A Kafka node names its schema registry profile in `registry`.
      if (typeof config.registry === "string") add(connections, config.registry, flow);
      if (typeof config.artifact === "string") add(artifacts, config.artifact, flow);
    }
  }
  return { secrets, connections, artifacts };
}

/** Reads the newest version of every flow and the version each running deployment runs. */
export async function loadUsage(db: Db): Promise<Usage> {
  const flows = await db.flow.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      latestVersion: true,
      deployments: { where: { desiredState: "running" }, select: { flowVersionId: true } },
    },
  });
  if (flows.length === 0) return usageOf([]);
  const versions = await db.flowVersion.findMany({
    where: {
      OR: [
        ...flows.map((f) => ({ flowId: f.id, version: f.latestVersion })),
        { id: { in: flows.flatMap((f) => f.deployments.map((d) => d.flowVersionId)) } },
      ],
    },
    select: { flowId: true, spec: true },
  });
  const byId = new Map(flows.map((f) => [f.id, { id: f.id, name: f.name }]));
  const order = new Map(flows.map((f, i) => [f.id, i]));
  versions.sort((a, b) => (order.get(a.flowId) ?? 0) - (order.get(b.flowId) ?? 0));
  return usageOf(
    versions.flatMap((v) => {
      const flow = byId.get(v.flowId);
      return flow ? [{ flow, spec: v.spec }] : [];
    }),
  );
}
