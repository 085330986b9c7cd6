import type { WeirRecord } from "@weir/domain";
import { clientIdOf, kafkaClient } from "../kafka-common/client";
import { resolveKafkaConnection } from "../kafka-common/connection";
import { registryDecoderFor } from "../schema-registry/resolve";
import { reportUndecodable } from "../plugin";
import type { SourceContext, SourcePlugin } from "../plugin";
import { decodeMessage } from "./decode";
import { kafkaSourceNodeType } from "./definition";
import type { KafkaSourceConfig } from "./definition";

/** Records handed to `emit` at a time; the offset after each chunk is resolved once it is accepted. */
const EMIT_CHUNK = 500;
/** Keeps the group membership alive while `emit` waits under backpressure. */
const HEARTBEAT_MS = 3_000;

/** One group per flow node, so two flows never share (and split) a group by accident. */
export function defaultGroupId(ctx: { flowId: string; nodeId: string }): string {
  return `weir-${ctx.flowId}-${ctx.nodeId}`;
}

export const kafkaSource: SourcePlugin<KafkaSourceConfig> = {
  definition: kafkaSourceNodeType,
  async run(config, ctx) {
    if (ctx.signal.aborted) return;
    const connection = await resolveKafkaConnection(config, ctx);
    const kafka = kafkaClient(connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log);
    const registry = await registryDecoderFor(config, ctx);
    const consumer = kafka.consumer({ groupId: config.groupId ?? defaultGroupId(ctx) });
    // Settles when the deployment stops, or rejects when the consumer crashed for good
    // (kafkajs restarts itself after retriable errors).
    const finished = new Promise<void>((resolve, reject) => {
      ctx.signal.addEventListener(
        "abort",
        () => {
          resolve();
        },
        { once: true },
      );
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(event.payload.error);
      });
    });
    finished.catch(() => undefined);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: config.topics, fromBeginning: config.fromBeginning === "earliest" });
      await consumer.run({
        // Offsets are resolved by hand below, only for records `emit` accepted; kafkajs then
        // commits the resolved offsets after each batch (and on rebalance and disconnect).
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const where = { topic: batch.topic, partition: batch.partition };
          for (let start = 0; start < batch.messages.length; start += EMIT_CHUNK) {
            if (!payload.isRunning() || payload.isStale() || ctx.signal.aborted) return;
            const chunk = batch.messages.slice(start, start + EMIT_CHUNK);
            const records: WeirRecord[] = [];
            // Fetches the chunk's unknown schema ids; a registry that does not answer throws, and
            // kafkajs retries the batch (nothing resolved, nothing dead-lettered).
            await registry?.prepare(chunk.map((message) => message.value));
            for (const message of chunk) {
              const decoded = decodeMessage(message, config.valueFormat, where, registry);
              if (decoded.ok) records.push(decoded.record);
              else await reportUndecodable(ctx, decoded.record, decoded.error);
            }
            if (records.length > 0 && !(await emitWhileAlive(ctx, records, () => payload.heartbeat())))
              return;
            const last = chunk.at(-1);
            if (last) payload.resolveOffset(last.offset);
            await payload.heartbeat();
          }
          await payload.commitOffsetsIfNecessary();
        },
      });
      await finished;
    } finally {
      await consumer.disconnect();
    }
  },
};

/**
 * Emits, heartbeating meanwhile; resolves false when the deployment stopped first (the
 * records then stay uncommitted and are consumed again by the next run).
 */
async function emitWhileAlive(
  ctx: SourceContext,
  records: readonly WeirRecord[],
  heartbeat: () => Promise<void>,
): Promise<boolean> {
  if (ctx.signal.aborted) return false;
  const emitted = ctx.emit(records).then(() => true);
  emitted.catch(() => undefined);
  let onAbort = (): void => undefined;
  const aborted = new Promise<boolean>((resolve) => {
    onAbort = () => {
      resolve(false);
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
  });
  const beat = setInterval(() => {
    heartbeat().catch(() => undefined);
  }, HEARTBEAT_MS);
  try {
    return await Promise.race([emitted, aborted]);
  } finally {
    clearInterval(beat);
    ctx.signal.removeEventListener("abort", onAbort);
  }
}
