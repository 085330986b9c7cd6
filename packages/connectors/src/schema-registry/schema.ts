// Config pieces for registry-encoded Kafka values; zod only, so definitions stay browser-safe.
import { z } from "zod";
import { connectionNameSchema } from "../kafka-common/schema";

const pem = (what: string) =>
  z.string().regex(/-----BEGIN [A-Z ]+-----/, `${what} must be PEM text (-----BEGIN ...-----)`);

/** What a connection profile of kind "schema-registry" holds (config and secrets merged). */
export const registryConnectionSchema = z.object({
  url: z
    .string()
    .regex(/^https?:\/\/[^\s/]+/, "the registry URL is http(s)://host[:port][/path]")
    .describe("The registry's base URL, http(s)://host:port[/path] (Confluent Schema Registry REST API)."),
  auth: z
    .discriminatedUnion("kind", [
      z.object({
        kind: z.literal("basic"),
        username: z.string().min(1, "a user name is needed").describe("The user name (or API key)."),
        password: z.string().describe("The password (or API secret; a secret: write-only, never shown)."),
      }),
      z.object({
        kind: z.literal("bearer"),
        token: z
          .string()
          .min(1, "a token is needed")
          .describe("The bearer token (a secret: write-only, never shown)."),
      }),
    ])
    .optional()
    .describe('Authentication: { kind: "basic", username, password } or { kind: "bearer", token }.'),
  tls: z
    .object({
      ca: pem("the CA certificate")
        .optional()
        .describe("PEM CA certificate(s) to trust instead of the system's."),
      cert: pem("the client certificate").optional().describe("PEM client certificate, for mutual TLS."),
      key: pem("the client key").optional().describe("PEM client key, for mutual TLS (a secret)."),
    })
    .optional()
    .describe("TLS settings for an https URL: a private CA, a client certificate and key."),
});
export type RegistryConnectionConfig = z.infer<typeof registryConnectionSchema>;

/** Dotted paths of the secret fields of a registry profile: write-only, never shown. */
export const registrySecretFields = ["auth.password", "auth.token", "tls.key"] as const;

export const registryProfileField = connectionNameSchema.describe(
  'The name of a "schema-registry" connection profile; needed when valueFormat is "registry".',
);

/** How the Kafka sink writes registry-encoded values. */
export const sinkSchemaSchema = z.object({
  format: z.enum(["avro", "protobuf", "json-schema"]).describe("The schema type values are written in."),
  subjectStrategy: z
    .enum(["topic-name", "record-name", "topic-record-name"])
    .default("topic-name")
    .describe(
      "The subject: topic-name <topic>-value; record-name the record's full name; topic-record-name <topic>-<record name>.",
    ),
  text: z
    .string()
    .min(1)
    .optional()
    .describe("The schema to write with; without it, the subject's latest version is used."),
  messageName: z
    .string()
    .optional()
    .describe("Protobuf: the message to write (full name); the schema's first message by default."),
  autoRegister: z
    .boolean()
    .default(true)
    .describe(
      "Register the schema as a new version when the subject lacks it (after the compatibility check); false refuses to deploy instead.",
    ),
});
export type SinkSchemaConfig = z.infer<typeof sinkSchemaSchema>;

/** valueFormat "registry" and a `registry` profile go together. */
export function checkRegistryFormat(
  config: { valueFormat: string; registry?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.valueFormat === "registry" && config.registry === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["registry"],
      message: 'valueFormat "registry" needs a registry profile',
    });
  else if (config.valueFormat !== "registry" && config.registry !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["valueFormat"],
      message: 'a registry profile is used only with valueFormat "registry"',
    });
}
