import { TRPCError } from "@trpc/server";
import {
  connectionKinds,
  connectionNameSchema,
  kafkaConnectionSchema,
  probeConnection,
  probeKafka,
  probeRegistry,
  registryConnectionSchema,
} from "@weir/connectors";
import type { ConnectionKindName } from "@weir/connectors";
import type { Db, Prisma } from "@weir/db";
import { LIMITS, checkJsonValue, formatPath } from "@weir/domain";
import { z } from "zod";
import { InputError, notFound } from "../errors";
import { openedConnectionSecrets, sealedConnectionSecrets } from "../sealing";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "../trpc";
import { cursors, pageInput } from "../pagination";
import { loadUsage } from "../usage";
import { iso } from "../views";

type JsonObject = Record<string, unknown>;

const kindSchema = z.enum(Object.keys(connectionKinds) as [ConnectionKindName, ...ConnectionKindName[]]);

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function getPath(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split(".")) {
    if (!isObject(at)) return undefined;
    at = at[key];
  }
  return at;
}

/** Sets a dotted path, creating the objects on the way only when `create` says so. */
function setPath(target: JsonObject, path: string, value: unknown, create: boolean): void {
  const keys = path.split(".");
  const last = keys.pop() ?? path;
  let at = target;
  for (const key of keys) {
    const next = at[key];
    if (isObject(next)) at = next;
    else if (create) at = at[key] = {};
    else return;
  }
  at[last] = value;
}

function deletePath(target: JsonObject, path: string): void {
  const keys = path.split(".");
  const last = keys.pop() ?? path;
  const parent = keys.length === 0 ? target : getPath(target, keys.join("."));
  if (isObject(parent)) Reflect.deleteProperty(parent, last);
}

/** Each secret field of the kind and whether the profile has it; never the value itself. */
function secretStatus(kind: string, secrets: unknown): Record<string, { set: boolean }> {
  const fields: readonly string[] =
    kind in connectionKinds ? connectionKinds[kind as ConnectionKindName].secretFields : [];
  return Object.fromEntries(fields.map((field) => [field, { set: getPath(secrets, field) !== undefined }]));
}

interface ProfileRow {
  name: string;
  kind: string;
  config: Prisma.JsonValue;
  /** Sealed (a JSON string) when keyId is set; see @weir/db sealed-secrets.ts. */
  secrets: Prisma.JsonValue;
  keyId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function toView(db: Db, row: ProfileRow) {
  return {
    name: row.name,
    kind: row.kind,
    config: row.config,
    secrets: secretStatus(row.kind, openedConnectionSecrets(db, row)),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

const byName = z.object({ name: connectionNameSchema });

const profileInput = z.object({
  name: connectionNameSchema,
  kind: kindSchema,
  config: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.unknown()).optional(),
});

/** Config and secrets longer or deeper than any real credential are refused before anything else. */
function checkProfileLimits(input: { config: JsonObject; secrets?: JsonObject | undefined }): void {
  const limits = [
    ...checkJsonValue(input.config, {
      maxDepth: 8,
      maxStringChars: LIMITS.connectionStringChars,
      path: ["config"],
    }).problems,
    ...checkJsonValue(input.secrets ?? {}, {
      maxDepth: 8,
      maxStringChars: LIMITS.connectionStringChars,
      path: ["secrets"],
    }).problems,
  ];
  if (limits.length > 0) throw new InputError(limits);
}

/**
 * The config with its secret fields merged in: the typed `secrets` when given, otherwise the
 * stored profile's (same name and kind) where the config still has a place for them.
 */
async function withSecrets(
  db: Db,
  input: { name: string; kind: ConnectionKindName; config: JsonObject; secrets?: JsonObject | undefined },
): Promise<JsonObject> {
  const kind = connectionKinds[input.kind];
  const stored = await db.connectionProfile.findUnique({
    where: { name: input.name },
    select: { name: true, kind: true, secrets: true, keyId: true },
  });
  const storedSecrets = stored ? openedConnectionSecrets(db, stored) : undefined;
  const merged = structuredClone(input.config);
  for (const field of kind.secretFields) {
    if (input.secrets !== undefined) {
      const value = getPath(input.secrets, field);
      if (value !== undefined) setPath(merged, field, value, true);
    } else if (stored?.kind === input.kind && getPath(merged, field) === undefined) {
      const value = getPath(storedSecrets, field);
      if (value !== undefined) setPath(merged, field, value, false);
    }
  }
  return merged;
}

/** zod's paths and messages only: neither carries a value, so no secret is echoed. */
function issuesOf(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) =>
        `${formatPath(issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)))}: ${issue.message}`,
    )
    .join("; ");
}

/**
 * Connection profiles (e.g. Kafka brokers with TLS and SASL) that source and sink nodes name in
 * `config.connection`. Secret fields are write-only: `set` stores them apart from the config and
 * no answer carries them, only whether each is set; the engine merges them in at deploy time.
 */
export const connectionsRouter = createTRPCRouter({
  /**
   * Creates the profile or replaces it. Without `secrets` the stored secret fields are kept
   * (where the config still has a place for them); with `secrets` they are replaced.
   */
  set: adminProcedure.input(profileInput).mutation(async ({ ctx, input }) => {
    checkProfileLimits(input);
    const kind = connectionKinds[input.kind];
    const merged = await withSecrets(ctx.db, input);
    const parsed = kind.schema.safeParse(merged);
    if (!parsed.success) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `invalid ${input.kind} connection: ${issuesOf(parsed.error)}`,
      });
    }
    const config = structuredClone(parsed.data);
    const secrets: JsonObject = {};
    for (const field of kind.secretFields) {
      const value = getPath(config, field);
      if (value === undefined) continue;
      deletePath(config, field);
      setPath(secrets, field, value, true);
    }
    // The secret fields reach the database sealed only (packages/db secret-box.ts).
    const data = {
      kind: input.kind,
      config: config as Prisma.InputJsonObject,
      ...sealedConnectionSecrets(ctx.db, input.name, secrets),
    };
    const row = await ctx.db.connectionProfile.upsert({
      where: { name: input.name },
      create: { name: input.name, ...data },
      update: data,
    });
    return toView(ctx.db, row);
  }),

  /** Every profile by name, with its config, which secret fields are set and the flows naming it. */
  list: viewerProcedure.input(pageInput(cursors.name)).query(async ({ ctx, input }) => {
    const [rows, usage] = await Promise.all([
      ctx.db.connectionProfile.findMany({
        where: input.cursor === undefined ? {} : { name: { gt: input.cursor } },
        orderBy: { name: "asc" },
        take: input.limit,
      }),
      loadUsage(ctx.db),
    ]);
    return rows.map((row) => ({ ...toView(ctx.db, row), flows: usage.connections.get(row.name) ?? [] }));
  }),

  get: viewerProcedure.input(byName).query(async ({ ctx, input }) => {
    const row = await ctx.db.connectionProfile.findUnique({ where: { name: input.name } });
    if (!row) throw notFound(`connection profile ${input.name} not found`);
    return toView(ctx.db, row);
  }),

  delete: adminProcedure.input(byName).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.connectionProfile.deleteMany({ where: { name: input.name } });
    if (count === 0) throw notFound(`connection profile ${input.name} not found`);
    return { name: input.name };
  }),

  /**
   * "Test connection": connects with the stored profile (secrets included) from this server and
   * lists the topics, or answers which of unreachable / auth / tls / other failed and why. The
   * answer is not an error: a failing test is a result the page shows.
   */
  test: adminProcedure.input(byName).mutation(async ({ ctx, input }) => {
    const row = await ctx.db.connectionProfile.findUnique({ where: { name: input.name } });
    if (!row) throw notFound(`connection profile ${input.name} not found`);
    const merged = isObject(row.config) ? structuredClone(row.config) : {};
    const secrets = openedConnectionSecrets(ctx.db, row);
    for (const field of connectionKinds.kafka.secretFields) {
      const value = getPath(secrets, field);
      if (value !== undefined) setPath(merged, field, value, true);
    }
    const parsed = kafkaConnectionSchema.safeParse(merged);
    if (!parsed.success) {
      return {
        ok: false as const,
        failure: "other" as const,
        message: "the stored profile is not a valid kafka connection: save it again",
        ms: 0,
      };
    }
    return probeKafka(parsed.data, { timeoutMs: 5_000 });
  }),

  /**
   * "Test connection" on a profile as typed in the form, before (or without) saving it: the same
   * probe as `test`/`testRegistry`, nothing stored. Secret fields left out are taken from the
   * stored profile of that name and kind, so an edit can be tested without retyping a password.
   * An invalid draft is a failed test naming the fields, not an error.
   */
  testDraft: adminProcedure.input(profileInput).mutation(async ({ ctx, input }) => {
    checkProfileLimits(input);
    const merged = await withSecrets(ctx.db, input);
    const parsed = connectionKinds[input.kind].schema.safeParse(merged);
    if (!parsed.success) {
      return {
        ok: false as const,
        failure: "other" as const,
        message: `invalid ${input.kind} connection: ${issuesOf(parsed.error)}`,
        ms: 0,
      };
    }
    return probeConnection(input.kind, parsed.data, { timeoutMs: 5_000 });
  }),

  /**
   * "Test connection" for a schema-registry profile: lists the registry's subjects with the stored
   * profile (secrets included), or answers which of unreachable / auth / tls / other failed.
   */
  testRegistry: adminProcedure.input(byName).mutation(async ({ ctx, input }) => {
    const row = await ctx.db.connectionProfile.findUnique({ where: { name: input.name } });
    if (!row) throw notFound(`connection profile ${input.name} not found`);
    if (row.kind !== "schema-registry")
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `connection profile ${input.name} is a ${row.kind} profile, not schema-registry`,
      });
    const merged = isObject(row.config) ? structuredClone(row.config) : {};
    const secrets = openedConnectionSecrets(ctx.db, row);
    for (const field of connectionKinds["schema-registry"].secretFields) {
      const value = getPath(secrets, field);
      if (value !== undefined) setPath(merged, field, value, true);
    }
    const parsed = registryConnectionSchema.safeParse(merged);
    if (!parsed.success) {
      return {
        ok: false as const,
        failure: "other" as const,
        message: "the stored profile is not a valid schema-registry connection: save it again",
        ms: 0,
      };
    }
    return probeRegistry(parsed.data, { timeoutMs: 5_000 });
  }),
});
