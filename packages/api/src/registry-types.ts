// Port types of registry-encoded Kafka nodes, looked up before a flow is validated. A source's
// output: the latest schema of its subject (kafka-source `subject`, by default <topic>-value), as
// the decoder's values. A sink's input: the schema it writes with (its `schema.text`, else the
// latest of <topic>-value under the topic-name strategy), as the values the encoder accepts. Both
// mapped by @weir/schema-registry's portSchemaOf. A registry that is down or slow, a missing
// profile or subject, or a schema that does not map to a port type leaves the port untyped
// (unknown, never checked): typing helps a save, it never fails one.
import {
  kafkaSinkConfigSchema,
  kafkaSourceConfigSchema,
  registryConnectionSchema,
  typingSubjectOf,
} from "@weir/connectors/definitions";
import type { Db } from "@weir/db";
import { DEFAULT_PORT } from "@weir/domain";
import type { NodeSchemas, PortSchema } from "@weir/domain";
import { RegistryClient, latestPortSchema, portSchemaOf } from "@weir/schema-registry";
import type { PortSchemaOptions } from "@weir/schema-registry";
import { openedConnectionSecrets } from "./sealing";

/** Longest a save waits for the registry, per source, before it goes on untyped. */
export const REGISTRY_TYPE_TIMEOUT_MS = 2_000;

interface RawNode {
  id?: unknown;
  type?: unknown;
  config?: unknown;
  schemas?: { input?: unknown; outputs?: Record<string, unknown> };
}

const SCHEMA_TYPES = { avro: "AVRO", protobuf: "PROTOBUF", "json-schema": "JSON" } as const;

/**
 * By node id, the output type of each kafka-source with valueFormat "registry" whose subject's
 * latest schema could be fetched and mapped. `spec` is unvalidated: nodes that do not parse are
 * skipped (validateFlow reports them).
 */
export async function registryPortSchemas(db: Db, spec: unknown): Promise<Map<string, NodeSchemas>> {
  const nodes = (spec as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return new Map();
  const lookups = new Map<string, Promise<PortSchema | undefined>>();
  const wanted: { id: string; lookup: Promise<PortSchema | undefined> }[] = [];
  for (const node of nodes as (RawNode | null)[]) {
    if (node?.type !== "kafka-source" || typeof node.id !== "string") continue;
    // The node's own output schema wins over a resolved one: no need to ask.
    if (node.schemas?.outputs?.[DEFAULT_PORT] !== undefined) continue;
    const config = kafkaSourceConfigSchema.safeParse(node.config);
    if (!config.success || config.data.registry === undefined) continue;
    const subject = typingSubjectOf(config.data);
    if (subject === undefined) continue;
    const key = JSON.stringify([config.data.registry, subject]);
    let lookup = lookups.get(key);
    if (!lookup) {
      lookup = subjectType(db, config.data.registry, subject);
      lookups.set(key, lookup);
    }
    wanted.push({ id: node.id, lookup });
  }
  const sinks: { id: string; lookup: Promise<PortSchema | undefined> }[] = [];
  for (const node of nodes as (RawNode | null)[]) {
    if (node?.type !== "kafka-sink" || typeof node.id !== "string") continue;
    if (node.schemas?.input !== undefined) continue;
    const config = kafkaSinkConfigSchema.safeParse(node.config);
    if (!config.success || config.data.registry === undefined || config.data.schema === undefined) continue;
    const { schema, registry, topic } = config.data;
    const options = {
      direction: "encodable" as const,
      ...(schema.messageName ? { messageName: schema.messageName } : {}),
    };
    if (schema.text !== undefined) {
      sinks.push({
        id: node.id,
        lookup: Promise.resolve(portSchemaOf(SCHEMA_TYPES[schema.format], schema.text, options)),
      });
    } else if (schema.subjectStrategy === "topic-name") {
      // Other strategies name the subject by the record's own name: known only when writing.
      sinks.push({ id: node.id, lookup: subjectType(db, registry, `${topic}-value`, options) });
    }
  }
  const resolved = new Map<string, NodeSchemas>();
  for (const { id, lookup } of wanted) {
    const schema = await lookup;
    if (schema) resolved.set(id, { outputs: { [DEFAULT_PORT]: schema } });
  }
  for (const { id, lookup } of sinks) {
    const schema = await lookup;
    if (schema) resolved.set(id, { input: schema });
  }
  return resolved;
}

/** The subject's latest schema as a port type, or undefined for any failure (see the top). */
async function subjectType(
  db: Db,
  profile: string,
  subject: string,
  options: PortSchemaOptions = {},
): Promise<PortSchema | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      resolve(undefined);
    }, REGISTRY_TYPE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([fetchType(db, profile, subject, options), deadline]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function fetchType(
  db: Db,
  profile: string,
  subject: string,
  options: PortSchemaOptions,
): Promise<PortSchema | undefined> {
  const row = await db.connectionProfile.findUnique({ where: { name: profile } });
  if (row?.kind !== "schema-registry") return undefined;
  const parsed = registryConnectionSchema.safeParse(merged(row.config, openedConnectionSecrets(db, row)));
  if (!parsed.success) return undefined;
  const { url, auth, tls } = parsed.data;
  const client = new RegistryClient({
    url,
    timeoutMs: REGISTRY_TYPE_TIMEOUT_MS,
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
  });
  return latestPortSchema(client, subject, options);
}

/** A stored profile's config with its secret fields put back (both are plain nested objects). */
function merged(config: unknown, secrets: unknown): unknown {
  if (!isObject(config) || !isObject(secrets)) return config ?? secrets;
  const out: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(secrets)) out[key] = key in out ? merged(out[key], value) : value;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
