import { z } from "zod";
import type { NodeTypeDefinition } from "@weir/domain";
import { checkKafkaEndpoint, kafkaEndpointShape, topicNameSchema } from "../kafka-common/schema";
import { checkRegistryFormat, registryProfileField, sinkSchemaSchema } from "../schema-registry/schema";

export const kafkaKeySchema = z.discriminatedUnion("from", [
  /** The record's own key. */
  z.object({ from: z.literal("record") }),
  /** A field of the JSON value, by dotted path; a missing field or null gives no key. */
  z.object({
    from: z.literal("field"),
    path: z.string().regex(/^[^.]+(\.[^.]+)*$/, "a dotted path such as customer.id"),
  }),
  z.object({ from: z.literal("none") }),
]);
export type KafkaKeyConfig = z.infer<typeof kafkaKeySchema>;

export const kafkaSinkConfigSchema = z
  .object({
    ...kafkaEndpointShape,
    topic: topicNameSchema.describe("The topic to produce to."),
    key: kafkaKeySchema
      .default({ from: "record" })
      .describe(
        'The Kafka key: { from: "record" } (the record\'s key), { from: "field", path: "a.b" } (a field of the value) or { from: "none" }.',
      ),
    /** -1: every in-sync replica; 1: the leader only; 0: no acknowledgement. */
    acks: z
      .union([z.literal(-1), z.literal(0), z.literal(1)])
      .default(-1)
      .describe("-1: every in-sync replica acknowledges; 1: the leader only; 0: no acknowledgement."),
    compression: z.enum(["none", "gzip"]).default("none").describe("Batch compression: none or gzip."),
    /** Retries cannot duplicate or reorder records; needs acks -1. */
    idempotent: z
      .boolean()
      .default(true)
      .describe("Retries cannot duplicate or reorder records; needs acks -1."),
    /** `utf8` writes string values as they are; anything else is written as JSON. */
    valueFormat: z
      .enum(["json", "utf8", "registry"])
      .default("json")
      .describe(
        "json writes the value as JSON; utf8 writes string values as they are; registry encodes it against a registry subject (see schema).",
      ),
    registry: registryProfileField.optional(),
    schema: sinkSchemaSchema
      .optional()
      .describe(
        'With valueFormat "registry": the schema type, subject strategy, schema text and whether to register it.',
      ),
  })
  .refine((config) => !config.idempotent || config.acks === -1, {
    message: "an idempotent producer needs acks -1; set idempotent to false for acks 0 or 1",
    path: ["acks"],
  })
  .superRefine(checkKafkaEndpoint)
  .superRefine(checkRegistryFormat)
  .refine((config) => config.valueFormat !== "registry" || config.schema !== undefined, {
    message: 'valueFormat "registry" needs schema: { format, ... }',
    path: ["schema"],
  });
export type KafkaSinkConfig = z.infer<typeof kafkaSinkConfigSchema>;

export const kafkaSinkNodeType: NodeTypeDefinition<KafkaSinkConfig> = {
  type: "kafka-sink",
  version: 1,
  kind: "sink",
  name: "Kafka sink",
  description: "Produces each record to a Kafka topic; a write completes when Kafka acknowledged it.",
  icon: "upload",
  configSchema: kafkaSinkConfigSchema,
  ports: { fixed: [] },
};
