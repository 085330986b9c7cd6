import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { kafkaEdgeClient } from "../kafka-client/choose";
import type { BatchControl, IncomingBatch } from "../kafka-client/edge-client";
import { clientIdOf } from "../kafka-common/client";
import { resolveKafkaConnection } from "../kafka-common/connection";
import { registryDecoderFor } from "../schema-registry/resolve";
import { reportUndecodable } from "../plugin";
import type { SourceContext, SourcePlugin } from "../plugin";
import { decodeMessage } from "./decode";
import { kafkaSourceNodeType } from "./definition";
import type { KafkaSourceConfig } from "./definition";

/** Records handed to `emit` at a time; the offset after each chunk is committed once it is accepted. */
const EMIT_CHUNK = 500;
/** Keeps the group membership alive while `emit` waits under backpressure. */
const HEARTBEAT_MS = 3_000;
/** kafkajs' default session: how long a silent member keeps its partitions. */
const SESSION_TIMEOUT_MS = 30_000;

/** One group per flow node, so two flows never share (and split) a group by accident. */
export function defaultGroupId(ctx: { flowId: string; nodeId: string }): string {
  return `weir-${ctx.flowId}-${ctx.nodeId}`;
}

/**
 * Reads the topics on the engine's Kafka client (ctx.kafkaClient) as one member of the node's
 * group. Offsets are committed by hand, only past records `emit` accepted (or that were
 * dead-lettered), chunk by chunk: a stop or a crash replays from the last accepted chunk.
 */
export const kafkaSource: SourcePlugin<KafkaSourceConfig> = {
  definition: kafkaSourceNodeType,
  async run(config, ctx) {
    if (ctx.signal.aborted) return;
    const connection = await resolveKafkaConnection(config, ctx);
    const client = kafkaEdgeClient(ctx.kafkaClient, connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log);
    const registry = await registryDecoderFor(config, ctx);
    const consumer = client.consumer({
      groupId: config.groupId ?? defaultGroupId(ctx),
      topics: config.topics,
      fromBeginning: config.fromBeginning === "earliest",
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      concurrency: 1,
    });
    // Settles when the deployment stops; the client rejoins and restarts by itself meanwhile.
    const finished = new Promise<void>((resolve) => {
      ctx.signal.addEventListener(
        "abort",
        () => {
          resolve();
        },
        { once: true },
      );
    });

    const eachBatch = async (batch: IncomingBatch, control: BatchControl): Promise<void> => {
      const where = { topic: batch.topic, partition: batch.partition };
      for (let start = 0; start < batch.messages.length; start += EMIT_CHUNK) {
        if (!control.alive() || ctx.signal.aborted) return;
        const chunk = batch.messages.slice(start, start + EMIT_CHUNK);
        const records: WeirRecord[] = [];
        // Fetches the chunk's unknown schema ids; a registry that does not answer throws, and
        // the client hands the batch on again (nothing committed, nothing dead-lettered).
        await registry?.prepare(chunk.map((message) => message.value));
        for (const message of chunk) {
          const decoded = decodeMessage(message, config.valueFormat, where, registry);
          if (decoded.ok) records.push(decoded.record);
          else await reportUndecodable(ctx, decoded.record, decoded.error);
        }
        if (records.length > 0 && !(await emitWhileAlive(ctx, records, () => control.heartbeat()))) return;
        const last = chunk.at(-1);
        if (!last || !control.alive()) return;
        control.resolved(last.offset);
        const next = String(BigInt(last.offset) + 1n);
        // A commit that fails (the group rebalancing) is covered by the next one; lost, it only
        // means these records are read again.
        await consumer
          .commit([{ topic: batch.topic, partition: batch.partition, offset: next }])
          .catch((error: unknown) => {
            ctx.log.warn(
              `committing ${batch.topic}/${String(batch.partition)}@${next}: ${errorMessage(error)}`,
            );
          });
      }
    };
    try {
      await consumer.start({ batch: eachBatch, joined: () => undefined, log: ctx.log });
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
