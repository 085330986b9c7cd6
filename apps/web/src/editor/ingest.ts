// Where an http-ingest node takes records: the engine's public URL (as registered in the engines
// table) + /ingest/<flowId>/<nodeId>, as the engine's ingest server routes it.

export function ingestUrl(engineUrl: string, flowId: string, nodeId: string): string {
  return `${engineUrl.replace(/\/+$/, "")}/ingest/${flowId}/${encodeURIComponent(nodeId)}`;
}
