// A node's `registry` profile name → a registry client, through the context's profile lookup.
import { RegistryClient, RegistryDecoder, openEncoder } from "@weir/schema-registry";
import type { JsonValue } from "@weir/schema-registry";
import type { ConnectorContext } from "../plugin";
import { registryConnectionSchema } from "./schema";
import type { SinkSchemaConfig } from "./schema";

export async function registryClientFor(name: string, ctx: ConnectorContext): Promise<RegistryClient> {
  if (!ctx.connection)
    throw new Error(`schema registry profile '${name}': this engine cannot resolve profiles`);
  const parsed = registryConnectionSchema.safeParse(await ctx.connection(name, "schema-registry"));
  if (!parsed.success) {
    // Paths and messages only: zod's messages never carry the values, so no secret is echoed.
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`schema registry profile '${name}' is invalid: ${issues.join("; ")}`);
  }
  const { url, auth, tls } = parsed.data;
  return new RegistryClient({ url, ...(auth ? { auth } : {}), ...(tls ? { tls } : {}) });
}

/** The decoder for a source with valueFormat "registry", else undefined. */
export async function registryDecoderFor(
  config: { valueFormat: string; registry?: string | undefined },
  ctx: ConnectorContext,
): Promise<RegistryDecoder | undefined> {
  if (config.valueFormat !== "registry" || config.registry === undefined) return undefined;
  return new RegistryDecoder(await registryClientFor(config.registry, ctx));
}

/**
 * The value encoder for a sink with valueFormat "registry", else undefined. Rejects (failing the
 * deploy) when the schema is incompatible with the subject, or unregistered with autoRegister off.
 */
export async function registryEncoderFor(
  config: {
    valueFormat: string;
    registry?: string | undefined;
    schema?: SinkSchemaConfig | undefined;
    topic: string;
  },
  ctx: ConnectorContext,
): Promise<((value: JsonValue) => Buffer) | undefined> {
  if (config.valueFormat !== "registry" || config.registry === undefined || config.schema === undefined)
    return undefined;
  const { format, subjectStrategy, text, messageName, autoRegister } = config.schema;
  const client = await registryClientFor(config.registry, ctx);
  try {
    const encoder = await openEncoder(client, {
      format,
      topic: config.topic,
      strategy: subjectStrategy,
      autoRegister,
      ...(text === undefined ? {} : { schema: text }),
      ...(messageName === undefined ? {} : { messageName }),
    });
    ctx.log.info(
      `writing ${format} with schema id ${String(encoder.schemaId)} of subject '${encoder.subject}'`,
    );
    return encoder.encode;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`node '${ctx.nodeId}': ${reason}`);
  }
}
