// An engine's resident memory for the engines page, read from the Prometheus text its /metrics
// serves beside /ingest (prom-client's process_resident_memory_bytes, which the engine prefixes
// weir_engine_). An engine that does not answer within the timeout, or whose address this server
// cannot reach, reads as null.

/** Pure: the value of `[weir_engine_]process_resident_memory_bytes` in a Prometheus text exposition. */
export function residentMemoryOf(text: string): number | null {
  const match = /^(?:weir_engine_)?process_resident_memory_bytes(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/m.exec(
    text,
  );
  if (!match?.[1]) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/** The metrics URL of an engine from the ingest URL it registered (same origin). */
export function metricsUrlOf(ingestUrl: string): string | null {
  try {
    return new URL("/metrics", ingestUrl).toString();
  } catch {
    return null;
  }
}

export async function readEngineMemory(ingestUrl: string, timeoutMs = 1_000): Promise<number | null> {
  const url = metricsUrlOf(ingestUrl);
  if (url === null) return null;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    return residentMemoryOf(await res.text());
  } catch {
    return null;
  }
}
