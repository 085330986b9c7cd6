// The kinds of connection profile Weir knows, as pure definitions (zod only): the API validates
// profiles with them and hides their secret fields; connectors parse resolved profiles with them.
import type { z } from "zod";
import { connectionNameSchema, kafkaConnectionSchema, kafkaSecretFields } from "./kafka-common/schema";
import { registryConnectionSchema, registrySecretFields } from "./schema-registry/schema";

export interface ConnectionKind {
  /** Validates a profile's config and secrets merged into one object. */
  schema: z.ZodType<Record<string, unknown>>;
  /** Dotted paths of the secret fields: write-only through the API, stored apart from the config. */
  secretFields: readonly string[];
}

export const connectionKinds = {
  kafka: { schema: kafkaConnectionSchema, secretFields: kafkaSecretFields },
  "schema-registry": { schema: registryConnectionSchema, secretFields: registrySecretFields },
} as const satisfies Record<string, ConnectionKind>;

export type ConnectionKindName = keyof typeof connectionKinds;

export { connectionNameSchema, kafkaConnectionSchema, kafkaSecretFields };
export { registryConnectionSchema, registrySecretFields };
export type { RegistryConnectionConfig } from "./schema-registry/schema";
export type { KafkaConnection } from "./kafka-common/schema";
