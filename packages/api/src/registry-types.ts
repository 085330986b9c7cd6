// Port types of registry-encoded Kafka nodes, looked up before a flow is validated. A source's
// output: the latest schema of its subject (kafka-source `subject`, by default <topic>-value), as
// the decoder's values. A sink's input: the schema it writes with (its `schema.text`, else the
// latest of <topic>-value under the topic-name strategy), as the values the encoder accepts. Both
// mapped by @weir/schema-registry's portSchemaOf. A registry that is down or slow, a missing
// profile or subject, or a schema that does not map to a port type leaves the port untyped
// (unknown, never checked): typing helps a save, it never fails one. Each such skipped lookup is
// said as a note (registryNotes), so a person knows which edges went unchecked and why.
import {
  kafkaSinkConfigSchema,
  kafkaSourceConfigSchema,
  registryConnectionSchema,
  typingSubjectOf,
} from "@weir/connectors/definitions";
import type { Db } from "@weir/db";
import { DEFAULT_PORT } from "@weir/domain";
import type { NodeSchemas, PortSchema, Problem } from "@weir/domain";
import {
  RegistryClient,
  RegistryError,
  latestSubjectType,
  portSchemaOf,
  subjectFor,
} from "@weir/schema-registry";
import type { PortSchemaOptions, SchemaType } from "@weir/schema-registry";
import { openedConnectionSecrets } from "./sealing";

/** Longest a save waits for the registry, per source, before it goes on untyped. */
export const REGISTRY_TYPE_TIMEOUT_MS = 2_000;

/**
 * How a lookup ended: `typed`, or why the port is untyped: the registry gave no answer in time
 * or none at all (`unreachable`), has no such subject (`subject_missing`), answered another error
 * (`registry_error`: credentials, a server fault), the profile is missing or unusable
 * (`profile_missing`), or the schema has no port type Weir can check (`unmapped`).
 */
export type RegistryTypeStatus =
  "typed" | "unreachable" | "subject_missing" | "registry_error" | "profile_missing" | "unmapped";

/** One registry-typed port of one node: where its type came from, or why it has none. */
export interface RegistryTypeLookup {
  nodeId: string;
  /** A source's output port `out`, or a sink's input. */
  port: "output" | "input";
  /** The schema-registry connection profile. */
  profile: string;
  /** The subject asked for or written to; null when the strategy names it only while writing. */
  subject: string | null;
  /** Where the schema came from: the registry's latest version, or the sink's own schema text. */
  from: "registry" | "config";
  status: RegistryTypeStatus;
  /** The subject version and schema id fetched (null for schema text, or when nothing came). */
  version: number | null;
  schemaId: number | null;
  schemaType: SchemaType | null;
  schema: PortSchema | null;
  /** Why the port is untyped, as a person reads it (null when typed). */
  reason: string | null;
}

export interface RegistryTypes {
  /** By node id, the types found (what validateFlow takes as resolvedSchemas). */
  schemas: Map<string, NodeSchemas>;
  lookups: RegistryTypeLookup[];
}

interface RawNode {
  id?: unknown;
  type?: unknown;
  config?: unknown;
  schemas?: { input?: unknown; outputs?: Record<string, unknown> };
}

type Found = Pick<RegistryTypeLookup, "status" | "version" | "schemaId" | "schemaType" | "schema" | "reason">;

const SCHEMA_TYPES = { avro: "AVRO", protobuf: "PROTOBUF", "json-schema": "JSON" } as const;

/** By node id, the types of registry-encoded Kafka nodes (see resolveRegistryTypes). */
export async function registryPortSchemas(db: Db, spec: unknown): Promise<Map<string, NodeSchemas>> {
  return (await resolveRegistryTypes(db, spec)).schemas;
}

/**
 * The output type of each kafka-source and the input type of each kafka-sink with valueFormat
 * "registry" whose own schemas do not set it, and how each lookup ended. Each profile and subject
 * is asked once, at most REGISTRY_TYPE_TIMEOUT_MS. `spec` is unvalidated: nodes that do not parse
 * are skipped (validateFlow reports them). `only`: just these node ids.
 */
export async function resolveRegistryTypes(
  db: Db,
  spec: unknown,
  only?: ReadonlySet<string>,
): Promise<RegistryTypes> {
  const nodes = (spec as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return { schemas: new Map(), lookups: [] };
  const asked = new Map<string, Promise<Found>>();
  const ask = (profile: string, subject: string, options: PortSchemaOptions): Promise<Found> => {
    const key = JSON.stringify([profile, subject, options]);
    let found = asked.get(key);
    if (!found) {
      found = subjectType(db, profile, subject, options);
      asked.set(key, found);
    }
    return found;
  };
  const pending: { lookup: Omit<RegistryTypeLookup, keyof Found>; found: Promise<Found> }[] = [];
  for (const node of nodes as (RawNode | null)[]) {
    if (typeof node?.id !== "string" || (only && !only.has(node.id))) continue;
    const nodeId = node.id;
    if (node.type === "kafka-source") {
      // The node's own output schema wins over a resolved one: no need to ask.
      if (node.schemas?.outputs?.[DEFAULT_PORT] !== undefined) continue;
      const config = kafkaSourceConfigSchema.safeParse(node.config);
      if (!config.success || config.data.registry === undefined) continue;
      const subject = typingSubjectOf(config.data);
      if (subject === undefined) continue;
      const profile = config.data.registry;
      pending.push({
        lookup: { nodeId, port: "output", profile, subject, from: "registry" },
        found: ask(profile, subject, {}),
      });
    } else if (node.type === "kafka-sink") {
      if (node.schemas?.input !== undefined) continue;
      const config = kafkaSinkConfigSchema.safeParse(node.config);
      if (!config.success || config.data.registry === undefined || config.data.schema === undefined) continue;
      const { schema, registry: profile, topic } = config.data;
      const options: PortSchemaOptions = {
        direction: "encodable",
        ...(schema.messageName ? { messageName: schema.messageName } : {}),
      };
      if (schema.text !== undefined) {
        const schemaType = SCHEMA_TYPES[schema.format];
        const mapped = portSchemaOf(schemaType, schema.text, options);
        pending.push({
          lookup: {
            nodeId,
            port: "input",
            profile,
            subject: sinkSubject(schema, topic),
            from: "config",
          },
          found: Promise.resolve({
            status: mapped ? "typed" : "unmapped",
            version: null,
            schemaId: null,
            schemaType,
            schema: mapped ?? null,
            reason: mapped ? null : "its schema text has no port type Weir can check",
          }),
        });
      } else if (schema.subjectStrategy === "topic-name") {
        // Other strategies name the subject by the record's own name: known only when writing.
        const subject = `${topic}-value`;
        pending.push({
          lookup: { nodeId, port: "input", profile, subject, from: "registry" },
          found: ask(profile, subject, options),
        });
      }
    }
  }
  const schemas = new Map<string, NodeSchemas>();
  const lookups: RegistryTypeLookup[] = [];
  for (const { lookup, found } of pending) {
    const done: RegistryTypeLookup = { ...lookup, ...(await found) };
    lookups.push(done);
    if (done.schema === null) continue;
    const known = schemas.get(done.nodeId) ?? {};
    schemas.set(
      done.nodeId,
      done.port === "output"
        ? { ...known, outputs: { [DEFAULT_PORT]: done.schema } }
        : { ...known, input: done.schema },
    );
  }
  return { schemas, lookups };
}

/** The subject a sink with schema text writes to under its strategy, or null if it has no name. */
function sinkSubject(
  schema: { format: keyof typeof SCHEMA_TYPES; subjectStrategy: string; text?: string; messageName?: string },
  topic: string,
): string | null {
  const strategy = schema.subjectStrategy;
  if (strategy !== "topic-name" && strategy !== "record-name" && strategy !== "topic-record-name")
    return null;
  try {
    return subjectFor({
      format: schema.format,
      topic,
      strategy,
      ...(schema.text === undefined ? {} : { schema: schema.text }),
      ...(schema.messageName ? { messageName: schema.messageName } : {}),
    });
  } catch {
    return null;
  }
}

/**
 * Each lookup that left a port untyped, as a note (never an error: the save goes on) at the
 * node's `config.registry`, so the editor lists it with the node it concerns.
 */
export function registryNotes(spec: unknown, lookups: readonly RegistryTypeLookup[]): Problem[] {
  const nodes = (spec as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const notes: Problem[] = [];
  for (const lookup of lookups) {
    if (lookup.status === "typed" || lookup.reason === null) continue;
    const index = (nodes as (RawNode | null)[]).findIndex((n) => n?.id === lookup.nodeId);
    if (index < 0) continue;
    const port =
      lookup.port === "output"
        ? `port '${DEFAULT_PORT}' of '${lookup.nodeId}'`
        : `the input of '${lookup.nodeId}'`;
    notes.push({
      path: ["nodes", index, "config", "registry"],
      message: `${port} is untyped, so its edges were not type-checked: ${lookup.reason}`,
      code: "registry_type_skipped",
    });
  }
  return notes;
}

/** The subject's latest schema as a port type, or why there is none (see the top). */
async function subjectType(
  db: Db,
  profile: string,
  subject: string,
  options: PortSchemaOptions,
): Promise<Found> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Found>((resolve) => {
    timer = setTimeout(() => {
      resolve(
        untyped(
          "unreachable",
          `the schema registry '${profile}' did not answer within ${String(REGISTRY_TYPE_TIMEOUT_MS)} ms`,
        ),
      );
    }, REGISTRY_TYPE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([fetchType(db, profile, subject, options), deadline]);
  } catch (error) {
    return failed(profile, subject, error);
  } finally {
    clearTimeout(timer);
  }
}

const untyped = (status: RegistryTypeStatus, reason: string): Found => ({
  status,
  version: null,
  schemaId: null,
  schemaType: null,
  schema: null,
  reason,
});

function failed(profile: string, subject: string, error: unknown): Found {
  if (error instanceof RegistryError) {
    if (error.status === 0)
      return untyped(
        "unreachable",
        `the schema registry '${profile}' could not be reached (${error.message})`,
      );
    if (
      error.status === 404 &&
      (error.errorCode === 40401 || error.errorCode === 40402 || error.errorCode === null)
    )
      return untyped("subject_missing", `the schema registry '${profile}' has no subject '${subject}'`);
    return untyped("registry_error", error.message);
  }
  return untyped("registry_error", error instanceof Error ? error.message : String(error));
}

async function fetchType(
  db: Db,
  profile: string,
  subject: string,
  options: PortSchemaOptions,
): Promise<Found> {
  const row = await db.connectionProfile.findUnique({ where: { name: profile } });
  if (row?.kind !== "schema-registry")
    return untyped("profile_missing", `there is no schema-registry connection profile '${profile}'`);
  const parsed = registryConnectionSchema.safeParse(merged(row.config, openedConnectionSecrets(db, row)));
  if (!parsed.success)
    return untyped("profile_missing", `the connection profile '${profile}' is not a usable registry profile`);
  const { url, auth, tls } = parsed.data;
  const client = new RegistryClient({
    url,
    timeoutMs: REGISTRY_TYPE_TIMEOUT_MS,
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
  });
  const { version, schema } = await latestSubjectType(client, subject, options);
  const fetched = { version: version.version, schemaId: version.id, schemaType: version.schemaType };
  if (!schema)
    return {
      ...fetched,
      status: "unmapped",
      schema: null,
      reason: `subject '${subject}' version ${String(version.version)} has no port type Weir can check`,
    };
  return { ...fetched, status: "typed", schema, reason: null };
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
