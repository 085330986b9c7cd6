import { CompressionTypes, Partitioners } from "kafkajs";
import type { KafkaJSNumberOfRetriesExceeded, Message } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { clientIdOf, kafkaClient } from "../kafka-common/client";
import { resolveKafkaConnection } from "../kafka-common/connection";
import { registryEncoderFor } from "../schema-registry/resolve";
import { DeliveryError } from "../plugin";
import type { SinkPlugin } from "../plugin";
import { kafkaSinkNodeType } from "./definition";
import type { KafkaSinkConfig } from "./definition";
import { encodeRecord } from "./encode";

/** kafkajs retries a failed send this often (with its own backoff) before it gives up. */
const SEND_RETRIES = 5;

export const kafkaSink: SinkPlugin<KafkaSinkConfig> = {
  definition: kafkaSinkNodeType,
  async open(config, ctx) {
    const connection = await resolveKafkaConnection(config, ctx);
    // Before the producer connects: an incompatible schema fails the deploy here.
    const encodeValue = await registryEncoderFor(config, ctx);
    const kafka = kafkaClient(connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log);
    const producer = kafka.producer({
      idempotent: config.idempotent,
      // Idempotence in kafkajs requires a single request in flight; otherwise it keeps its default.
      ...(config.idempotent ? { maxInFlightRequests: 1 } : {}),
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: SEND_RETRIES },
    });
    await producer.connect();
    const compression = config.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;

    const send = async (messages: Message[]): Promise<void> => {
      try {
        await producer.send({ topic: config.topic, acks: config.acks, compression, messages });
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
