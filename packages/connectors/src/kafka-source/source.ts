import type { WeirRecord } from "@weir/domain";
import { kafkaEdgeClient } from "../kafka-client/choose";
import { KafkaReader, READER_CHUNK } from "../kafka-reader/reader";
import type { ReaderItem } from "../kafka-reader/reader";
import { clientIdOf } from "../kafka-common/client";
import { resolveKafkaConnection } from "../kafka-common/connection";
import { registryDecoderFor } from "../schema-registry/resolve";
import { reportUndecodable } from "../plugin";
import type { SourceContext, SourcePlugin } from "../plugin";
import { decodeMessage } from "./decode";
import { kafkaSourceNodeType } from "./definition";
import type { KafkaSourceConfig } from "./definition";

/** Records handed to `emit` at a time (the reader's commit unit). */
const EMIT_CHUNK = READER_CHUNK;
/** kafkajs' default session: how long a silent member keeps its partitions. */
const SESSION_TIMEOUT_MS = 30_000;

/** One group per flow node, so two flows never share (and split) a group by accident. */
export function defaultGroupId(ctx: { flowId: string; nodeId: string }): string {
  return `weir-${ctx.flowId}-${ctx.nodeId}`;
}

/**
 * Reads the topics on the engine's Kafka client (ctx.kafkaClient) as one member of the node's
 * group, through the one Kafka reader the engine's edges use (kafka-reader/): it fetches ahead
 * within a window, and commits an offset only past records `emit` accepted (or that were
 * dead-lettered), so a stop or a crash replays from there.
 */
export const kafkaSource: SourcePlugin<KafkaSourceConfig> = {
  definition: kafkaSourceNodeType,
  async run(config, ctx) {
    if (ctx.signal.aborted) return;
    const connection = await resolveKafkaConnection(config, ctx);
    const client = kafkaEdgeClient(ctx.kafkaClient, connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log);
    const registry = await registryDecoderFor(config, ctx);
    const reader = new KafkaReader<WeirRecord>(
      client,
      {
        groupId: config.groupId ?? defaultGroupId(ctx),
        topics: config.topics,
        fromBeginning: config.fromBeginning === "earliest",
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        concurrency: 1,
        log: ctx.log,
      },
      {
        // Fetches the unit's unknown schema ids; a registry that does not answer is asked again,
        // the unit waiting (nothing committed, nothing dead-lettered).
        ...(registry ? { prepare: (messages) => registry.prepare(messages.map((m) => m.value)) } : {}),
        async admit(messages, at, hold) {
          const records: ReaderItem<WeirRecord>[] = [];
          for (const message of messages) {
            const decoded = decodeMessage(message, config.valueFormat, at, registry);
            if (decoded.ok) records.push({ value: decoded.record, hold: hold() });
            else await reportUndecodable(ctx, decoded.record, decoded.error);
          }
          return records;
        },
      },
    );
    const stop = (): void => {
      reader.stop();
    };
    ctx.signal.addEventListener("abort", stop, { once: true });
    try {
      await reader.start();
      // Emits in order what the reader hands on; a batch is acked (its offsets may be
      // committed) only once `emit` accepted it.
      for (;;) {
        const records = await reader.take(EMIT_CHUNK);
        if (!records || !(await emitUnlessStopped(ctx, records))) break;
        reader.ack();
      }
    } finally {
      ctx.signal.removeEventListener("abort", stop);
      await reader.close();
    }
  },
};

/**
 * Emits; resolves false when the deployment stopped first (the records then stay uncommitted
 * and are consumed again by the next run).
 */
async function emitUnlessStopped(ctx: SourceContext, records: readonly WeirRecord[]): Promise<boolean> {
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
  try {
    return await Promise.race([emitted, aborted]);
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
}
