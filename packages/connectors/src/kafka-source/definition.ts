import { z } from "zod";
import { DEFAULT_PORT } from "@weir/domain";
import type { NodeTypeDefinition } from "@weir/domain";
import { checkKafkaEndpoint, kafkaEndpointShape, topicNameSchema } from "../kafka-common/schema";
import { checkRegistryFormat, registryProfileField } from "../schema-registry/schema";

export const kafkaSourceConfigSchema = z
  .object({
    ...kafkaEndpointShape,
    topics: z
      .array(topicNameSchema)
      .min(1, "at least one topic is needed")
      .describe("Topics to consume, at least one."),
    /** Consumer group; by default one per flow and node, so two flows never share a group. */
    groupId: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe("Consumer group; by default weir-<flowId>-<nodeId>, so two flows never share a group."),
    /** Where a group with no committed offset starts: the oldest retained record or only new ones. */
    fromBeginning: z
      .enum(["earliest", "latest"])
      .default("latest")
      .describe(
        "Where a group without committed offsets starts: the oldest retained record or only new ones.",
      ),
    /** `bytes` carries the value base64-encoded in a string, with header `content-encoding: base64`. */
    valueFormat: z
      .enum(["json", "utf8", "bytes", "registry"])
      .default("json")
      .describe(
        'json: parsed; utf8: a string; bytes: a base64 string with header "content-encoding: base64"; registry: Confluent wire format (Avro, Protobuf or JSON Schema, as the registry says) decoded to JSON.',
      ),
    registry: registryProfileField.optional(),
    /** Types the output port at save time; decoding always uses each record's own schema id. */
    subject: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe(
        'With valueFormat "registry": the subject whose latest schema types the output port (record.value), checked against downstream input types when the flow is saved; by default <topic>-value when there is exactly one topic.',
      ),
  })
  .superRefine(checkKafkaEndpoint)
  .superRefine(checkRegistryFormat)
  .superRefine((config, ctx) => {
    if (config.subject !== undefined && config.valueFormat !== "registry")
      ctx.addIssue({
        code: "custom",
        path: ["subject"],
        message: 'a subject is used only with valueFormat "registry"',
      });
  });
export type KafkaSourceConfig = z.infer<typeof kafkaSourceConfigSchema>;

/**
 * The registry subject whose latest schema is the source's output type: `subject`, else
 * `<topic>-value` (the topic-name strategy) for a single topic; undefined when the values are
 * not registry-encoded or several topics leave the subject open.
 */
export function typingSubjectOf(config: KafkaSourceConfig): string | undefined {
  if (config.valueFormat !== "registry") return undefined;
  if (config.subject !== undefined) return config.subject;
  return config.topics.length === 1 ? `${String(config.topics[0])}-value` : undefined;
}

export const kafkaSourceNodeType: NodeTypeDefinition<KafkaSourceConfig> = {
  type: "kafka-source",
  version: 1,
  kind: "source",
  name: "Kafka source",
  description:
    "Consumes one or more Kafka topics; offsets are committed once records are accepted downstream.",
  icon: "download",
  configSchema: kafkaSourceConfigSchema,
  ports: { fixed: [DEFAULT_PORT] },
};
