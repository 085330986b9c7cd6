import type { WeirRecord } from "@weir/domain";
import { jsonTextRecord } from "@weir/domain";
import type { SourcePlugin } from "../plugin";
import { generatorNodeType } from "./definition";
import type { GeneratorConfig } from "./definition";
import { compileTemplateText, compileText } from "./template";
import { waitForTick } from "./ticks";

/** With no interval, records go out in batches this large so the queue crossing is amortised. */
const BURST = 256;
/** The checkpoint is saved at most this often, and always on stop. */
const CHECKPOINT_EVERY_MS = 1000;
/**
 * A paced generator this far behind its schedule or less sends the records it owes in one batch;
 * further behind (a paused process, an engine long overloaded) it drops the older ones and starts
 * again from now, so a pause never ends in a flood.
 */
export const CATCH_UP_MS = 1000;

/**
 * How many records a generator of `intervalMs` owes at `now` when the next was due at `dueAt`:
 * one when on time, the ones due since when late, at most BURST and at most CATCH_UP_MS' worth.
 */
export function recordsDue(dueAt: number, intervalMs: number, now: number): number {
  if (now <= dueAt) return 1;
  const owed = 1 + Math.floor((now - dueAt) / intervalMs);
  return Math.min(owed, BURST, Math.max(1, Math.floor(CATCH_UP_MS / intervalMs)));
}

export const generatorSource: SourcePlugin<GeneratorConfig> = {
  definition: generatorNodeType,
  async run(config, ctx) {
    const saved = await ctx.checkpoint.load();
    let seq =
      typeof saved === "object" && saved !== null && "next" in saved && typeof saved.next === "number"
        ? saved.next
        : 0;
    let savedAt = Date.now();
    // A save runs while records keep flowing (the store gathers many sources' saves into one
    // write); the next save, and the end, wait for it, and its failure fails the source there.
    let saving: Promise<void> = Promise.resolve();
    let saveFailed: { error: unknown } | undefined;
    let dueAt = Date.now();
    // Values as their JSON text, parsed only if something reads them: a function, the log sink
    // and Kafka write the text as it is.
    const value = compileTemplateText(config.template);
    const key = config.key === null ? null : compileText(config.key);
    const remaining = (): number => (config.count === null ? Infinity : config.count - seq);

    try {
      while (!ctx.signal.aborted && remaining() > 0) {
        const now = new Date();
        // A late generator sends what it owes as one batch: each record of a batch costs the
        // nodes after it far less than a batch of its own, so an engine too busy to wake every
        // generator on time catches up instead of falling further behind (1,000 flows of 10
        // records/s on 2 cores: 49% of the records were sent one by one).
        const size = Math.min(
          config.intervalMs === 0 ? BURST : recordsDue(dueAt, config.intervalMs, now.getTime()),
          remaining(),
        );
        const batch: WeirRecord[] = [];
        for (let i = 0; i < size; i++, seq++) {
          batch.push(jsonTextRecord(key === null ? null : key(seq, now), value(seq, now), {}, now.getTime()));
        }
        await ctx.emit(batch);
        if (Date.now() - savedAt >= CHECKPOINT_EVERY_MS) {
          await saving;
          if (saveFailed) throw saveFailed.error;
          saving = ctx.checkpoint.save({ next: seq }).catch((error: unknown) => {
            saveFailed = { error };
          });
          savedAt = Date.now();
        }
        if (config.intervalMs > 0) {
          // Paced from when each record was due, not from when the last one left, so an engine
          // slowed by its other work still sends 1000 / intervalMs records a second; one that
          // fell more than CATCH_UP_MS behind starts again from now. The wait ends on a tick
          // shared with every other generator of the engine (ticks.ts).
          dueAt += size * config.intervalMs;
          if (dueAt < Date.now() - CATCH_UP_MS) dueAt = Date.now();
          await waitForTick(dueAt, config.intervalMs, ctx.signal);
        }
      }
    } finally {
      await saving;
      await ctx.checkpoint.save({ next: seq });
    }
  },
};
