import type { KafkaJSNumberOfRetriesExceeded, Message } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { kafkaEdgeClient } from "../kafka-client/choose";
import { clientIdOf } from "../kafka-common/client";
import { resolveKafkaConnection } from "../kafka-common/connection";
import { registryEncoderFor } from "../schema-registry/resolve";
import { DeliveryError } from "../plugin";
import type { SinkPlugin } from "../plugin";
import { kafkaSinkNodeType } from "./definition";
import type { KafkaSinkConfig } from "./definition";
import { encodeRecord } from "./encode";

/** Writes on the engine's Kafka client (ctx.kafkaClient), which retries a failed send a few times. */
export const kafkaSink: SinkPlugin<KafkaSinkConfig> = {
  definition: kafkaSinkNodeType,
  async open(config, ctx) {
    const connection = await resolveKafkaConnection(config, ctx);
    // Before the producer connects: an incompatible schema fails the deploy here.
    const encodeValue = await registryEncoderFor(config, ctx);
    const client = kafkaEdgeClient(ctx.kafkaClient, connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log);
    const producer = await client.producer({
      idempotent: config.idempotent,
      acks: config.acks,
      compression: config.compression,
    });

    const send = async (messages: Message[]): Promise<void> => {
      try {
        await producer.send([{ topic: config.topic, messages }]);
      } catch (error) {
        // A refusal that retrying cannot fix (e.g. a record too large) fails on the first try.
        const attempts = isRetriesExceeded(error) ? error.retryCount + 1 : 1;
        throw new DeliveryError(`producing to ${config.topic} failed: ${errorMessage(error)}`, attempts);
      }
    };
    return {
      write: (record) => send([encodeRecord(record, config, encodeValue)]),
      writeBatch: (records: readonly WeirRecord[]) =>
        send(records.map((record) => encodeRecord(record, config, encodeValue))),
      close: () => producer.disconnect(),
    };
  },
};

/** Node's ESM view of kafkajs (CommonJS) exports no error classes, so `instanceof` is out. */
function isRetriesExceeded(error: unknown): error is KafkaJSNumberOfRetriesExceeded {
  return error instanceof Error && error.name === "KafkaJSNumberOfRetriesExceeded";
}
