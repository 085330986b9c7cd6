// Edge peek (issue #11 B): what every engine running a deployment sampled on one edge, merged.
// Pure: the router asks the engines (apps/engine/src/peek/peek-route.ts) and this puts the
// answers together.

/** One record as sampled on an edge: its value's JSON text, redacted and cut to a bounded size. */
export interface EdgePeekSample {
  /** When it crossed the edge (ms since the epoch, the engine's clock). */
  at: number;
  key: string | null;
  timestamp: number;
  value: string;
  truncated: boolean;
}

/** What one engine answered for the edge. */
export type EnginePeekAnswer =
  | {
      running: true;
      produced: boolean;
      samples: EdgePeekSample[];
      total: number;
      perSec: number | null;
      since: number;
    }
  | { running: false };

export interface MergedPeek {
  /** Newest first, at most `limit`. */
  samples: EdgePeekSample[];
  /** Records per second along the edge, summed over engines; null until an engine has a rate. */
  perSec: number | null;
  /** Records that crossed the edge since sampling started, summed over engines. */
  total: number;
  /** Engines running the deployment that answered. */
  engines: number;
  /** Whether any of them runs the node that sends along the edge (else nothing can be sampled). */
  produced: boolean;
}

/** Puts the engines' answers together: samples newest first across engines, counts and rates summed. */
export function mergePeeks(answers: readonly EnginePeekAnswer[], limit: number): MergedPeek {
  const samples: EdgePeekSample[] = [];
  let perSec: number | null = null;
  let total = 0;
  let engines = 0;
  let produced = false;
  for (const answer of answers) {
    if (!answer.running) continue;
    engines++;
    produced ||= answer.produced;
    total += answer.total;
    samples.push(...answer.samples);
    if (answer.perSec !== null) perSec = (perSec ?? 0) + answer.perSec;
  }
  samples.sort((a, b) => b.at - a.at);
  return {
    samples: samples.slice(0, limit),
    perSec: perSec === null ? null : Math.round(perSec * 10) / 10,
    total,
    engines,
    produced,
  };
}
