// Config pieces shared by the Kafka definitions; zod only, so definitions stay browser-safe.
import { z } from "zod";

/** `host:port`, the form every Kafka client takes a bootstrap broker in. */
export const brokerAddressSchema = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "a broker is host:port, e.g. kafka-1:9092");

export const brokerListSchema = z.array(brokerAddressSchema).min(1, "at least one broker is needed");

/** Kafka's own limits on topic names. */
export const topicNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, "a topic name is 1-249 letters, digits, '.', '_' or '-'");

/** The name a node's `connection` field gives to refer to a stored connection profile. */
export const connectionNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    "a connection profile name is 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

export const kafkaSaslSchema = z.object({
  mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]).describe("The SASL mechanism."),
  username: z.string().min(1, "a SASL username is needed").describe("The SASL user name."),
  password: z.string().describe("The SASL password (a secret: write-only, never shown)."),
});

/**
 * A Kafka connection: what a connection profile of kind "kafka" holds (config and secrets
 * merged), and what the client builder takes.
 */
export const kafkaConnectionSchema = z.object({
  brokers: brokerListSchema.describe('Bootstrap brokers, "host:port", at least one.'),
  /** TLS to the brokers, verified against the system's CA certificates. */
  ssl: z
    .boolean()
    .default(false)
    .describe("TLS to the brokers, verified against the system's CA certificates."),
  sasl: kafkaSaslSchema
    .optional()
    .describe('SASL: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512", username, password }.'),
});
export type KafkaConnection = z.infer<typeof kafkaConnectionSchema>;

/** Dotted paths of the fields of a Kafka connection that are secret: write-only, never shown. */
export const kafkaSecretFields = ["sasl.password"] as const;

/**
 * The part of the Kafka source and sink configs that says where the brokers are: inline
 * `brokers` or the name of a connection profile, exactly one of them.
 */
export const kafkaEndpointShape = {
  brokers: brokerListSchema
    .optional()
    .describe('Bootstrap brokers, "host:port", at least one; or instead a connection profile.'),
  /** Name of a connection profile of kind "kafka" (brokers, TLS, SASL defined once). */
  connection: connectionNameSchema
    .optional()
    .describe('The name of a "kafka" connection profile (brokers, TLS and SASL defined once).'),
};

export function checkKafkaEndpoint(
  config: { brokers?: readonly string[] | undefined; connection?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.brokers !== undefined && config.connection !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["connection"],
      message: "give either brokers or a connection profile, not both",
    });
  } else if (config.brokers === undefined && config.connection === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["brokers"],
      message: "brokers or a connection profile name (connection) is needed",
    });
  }
}
