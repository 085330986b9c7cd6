// The Kafka client interface lives in @weir/connectors (kafka-client/), shared with the
// kafka-source and kafka-sink connectors; re-exported here for the transport's modules.
export { KAFKA_CLIENT_KINDS } from "@weir/connectors";
export type {
  BatchControl,
  CommitOffset,
  ConsumerHandlers,
  ConsumerSettings,
  EdgeAdmin,
  EdgeClient,
  EdgeConsumer,
  EdgeProducer,
  IncomingBatch,
  KafkaClientKind,
  NewTopic,
  ProducerSettings,
} from "@weir/connectors";
