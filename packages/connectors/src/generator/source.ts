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
        const size = config.intervalMs === 0 ? Math.min(BURST, remaining()) : 1;
        const now = new Date();
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
          // fell more than an interval behind starts again from now instead of bursting. The wait
          // ends on a tick shared with every other generator of the engine (ticks.ts).
          dueAt += config.intervalMs;
          if (dueAt < Date.now() - config.intervalMs) dueAt = Date.now();
          await waitForTick(dueAt, config.intervalMs, ctx.signal);
        }
      }
    } finally {
      await saving;
      await ctx.checkpoint.save({ next: seq });
    }
  },
};
