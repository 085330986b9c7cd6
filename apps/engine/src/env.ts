import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { KafkaConnection, OutboundPolicy } from "@weir/connectors";
import type { InstallationKeys } from "@weir/db";
import {
  DEFAULT_KAFKA_CLIENT,
  KAFKA_CLIENT_KINDS,
  kafkaConnectionSchema,
  parseAllowList,
} from "@weir/connectors";
import { errorMessage } from "@weir/domain";
import { SecretBox } from "@weir/db";
import type { HttpPolicy } from "./http-guard";
import type { LoggerOptions } from "./logger";
import { LOCAL_HOST_NAMES, hostNameOf } from "./http-guard";
import type { KafkaTransportSettings } from "./transport/kafka/kafka-transport";

const commaList = z.string().transform((text) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== ""),
);

/** An optional key setting: unset or blank is "not given"; a malformed one says how it should look. */
const secretKey = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text.trim() === "") return undefined;
    try {
      return SecretBox.fromText(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: errorMessage(error) });
      return z.NEVER;
    }
  });

const schema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required: the Postgres that holds flows and deployments"),
  /**
   * 32 random bytes (base64 or hex) sealing secrets, connection-profile passwords and ingest
   * tokens at rest. Needed once any is stored; the engine refuses to start without it then.
   */
  WEIR_SECRET_KEY: secretKey,
  /**
   * Shared with the web process, which shows it on every call to /trigger (header
   * x-weir-internal-key). Required: `npm start` makes one in .weir/internal.key; compose needs it.
   */
  WEIR_INTERNAL_KEY: z
    .string({ error: "WEIR_INTERNAL_KEY is required: the key the web app shows to call /trigger" })
    .trim()
    .min(16, "WEIR_INTERNAL_KEY must be at least 16 characters (e.g. openssl rand -base64 32)"),
  /** Stable id of this engine; a restarted engine with the same id takes its deployments back at once. */
  WEIR_ENGINE_ID: z.string().min(1).optional(),
  WEIR_ENGINE_HOST: z.string().default("127.0.0.1"),
  /** Port of the ingest HTTP server; 0 picks a free one. */
  WEIR_ENGINE_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** The address other processes use to reach the ingest server, if not http://HOST:PORT. */
  WEIR_ENGINE_PUBLIC_URL: z.url().optional(),
  /** How often the engine looks for deployment changes when no notification woke it. */
  WEIR_RECONCILE_MS: z.coerce.number().int().min(50).default(500),
  /**
   * `on`: Postgres NOTIFY wakes the engine the moment a deploy or stop is committed. `off` behind
   * a pooler that cannot LISTEN (PgBouncer in transaction mode): the poll alone.
   */
  WEIR_LISTEN_DEPLOYMENTS: z.enum(["on", "off"]).default("on"),
  WEIR_LEASE_MS: z.coerce.number().int().min(1000).default(15_000),
  WEIR_QUEUE_CAPACITY: z.coerce.number().int().min(1).default(1000),
  WEIR_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * How records move between nodes: `in-process` (one engine, edges in memory) or `kafka`
   * (every edge a topic; several engines share the work; at least once across crashes).
   */
  WEIR_TRANSPORT: z.enum(["in-process", "kafka"]).default("in-process"),
  /** Bootstrap brokers of the Kafka transport, comma-separated host:port. */
  WEIR_KAFKA_BROKERS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, "comma-separated host:port list")
    .optional(),
  /**
   * A Kafka connection profile (brokers, TLS, SASL; stored with the API, password encrypted) the
   * transport connects through instead of WEIR_KAFKA_BROKERS: a broker that wants TLS or SASL.
   */
  WEIR_KAFKA_CONNECTION: z.string().min(1).max(128).optional(),
  /** Partitions of an edge topic unless the edge sets its own. */
  WEIR_KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(4),
  /** Replicas of each edge topic; unset takes the broker's default. */
  WEIR_KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).optional(),
  /** How long a silent engine keeps its partitions before the group hands them to the others. */
  WEIR_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(10_000),
  /** The Kafka client library of the transport, request replies and Kafka connectors (see README). */
  WEIR_KAFKA_CLIENT: z.enum(KAFKA_CLIENT_KINDS).default(DEFAULT_KAFKA_CLIENT),
  /**
   * Value bytes per message on an edge topic: a record whose value is larger goes as ordered chunk
   * messages (same key, same partition) that the reading node puts back together. Keep it below
   * the broker's message.max.bytes (1 MiB by default) with room for key and headers.
   */
  WEIR_KAFKA_CHUNK_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(512 * 1024),
  /**
   * The most bytes of split values a node's reader holds per partition while putting them back
   * together; a larger value is dead-lettered ("too large to put together"), not read.
   */
  WEIR_KAFKA_MAX_VALUE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024),
  /**
   * Extra Host names the HTTP server answers to, comma-separated (`*.example.com` wildcards; `*`
   * any); localhost, 127.0.0.1, [::1], WEIR_ENGINE_HOST and the public URL's host always.
   */
  WEIR_ALLOWED_HOSTS: commaList.default([]),
  /** Browser origins allowed to call the engine (CORS), comma-separated; none by default. */
  WEIR_CORS_ORIGINS: commaList.default([]),
  /**
   * Addresses, CIDR ranges and host names (each optionally `:port`) webhooks and other
   * user-configured URLs may reach although internal (loopback, private, link-local/metadata).
   */
  WEIR_OUTBOUND_ALLOW: z
    .string()
    .default("")
    .transform((text, ctx) => {
      try {
        return parseAllowList(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: errorMessage(error) });
        return z.NEVER;
      }
    }),
});

export type EngineEnv = z.infer<typeof schema> & { WEIR_ENGINE_ID: string };

/** The installation keys the engine opens its database with. */
export function engineKeys(env: EngineEnv): InstallationKeys {
  return { secretBox: env.WEIR_SECRET_KEY, internalKey: env.WEIR_INTERNAL_KEY };
}

/**
 * How the engine logs, read before anything else so even a bad environment is reported in the
 * chosen format: WEIR_LOG_FORMAT `text` (default) or `json` (one object per line with the flow,
 * deployment and node ids, for log collectors); WEIR_DEBUG set for debug lines.
 */
export function readLogOptions(source: NodeJS.ProcessEnv = process.env): LoggerOptions {
  const format = source.WEIR_LOG_FORMAT?.trim().toLowerCase() || "text";
  if (format !== "text" && format !== "json") {
    throw new Error(`WEIR_LOG_FORMAT must be text or json, not '${format}'`);
  }
  return { format, debug: Boolean(source.WEIR_DEBUG) };
}

/** Reads and checks the engine's environment once, at start. */
export function readEngineEnv(source: NodeJS.ProcessEnv = process.env): EngineEnv {
  const parsed = schema
    .refine(
      (env) =>
        env.WEIR_TRANSPORT !== "kafka" ||
        env.WEIR_KAFKA_BROKERS !== undefined ||
        env.WEIR_KAFKA_CONNECTION !== undefined,
      {
        message:
          "WEIR_TRANSPORT=kafka needs WEIR_KAFKA_BROKERS (e.g. localhost:9092) or WEIR_KAFKA_CONNECTION (a connection profile)",
        path: ["WEIR_KAFKA_BROKERS"],
      },
    )
    .safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid engine environment: ${problems}`);
  }
  return {
    ...parsed.data,
    WEIR_ENGINE_ID:
      parsed.data.WEIR_ENGINE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
  };
}

/**
 * The Kafka transport's settings, or undefined for the in-process transport. `profile` loads a
 * connection profile by name (WEIR_KAFKA_CONNECTION): its value, config and secrets merged.
 */
export async function kafkaTransportSettings(
  env: EngineEnv,
  profile: (name: string) => Promise<{ kind: string; value: unknown }>,
): Promise<KafkaTransportSettings | undefined> {
  if (env.WEIR_TRANSPORT !== "kafka") return undefined;
  let connection: KafkaConnection;
  if (env.WEIR_KAFKA_CONNECTION !== undefined) {
    const name = env.WEIR_KAFKA_CONNECTION;
    const stored = await profile(name);
    if (stored.kind !== "kafka")
      throw new Error(
        `WEIR_KAFKA_CONNECTION: connection profile '${name}' is a ${stored.kind} profile, not kafka`,
      );
    const parsed = kafkaConnectionSchema.safeParse(stored.value);
    if (!parsed.success) {
      // Paths and messages only: no value (a password) is ever echoed.
      const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
      throw new Error(`WEIR_KAFKA_CONNECTION: connection profile '${name}' is invalid: ${issues.join("; ")}`);
    }
    connection = parsed.data;
  } else if (env.WEIR_KAFKA_BROKERS !== undefined) {
    connection = { brokers: env.WEIR_KAFKA_BROKERS.split(","), ssl: false };
  } else return undefined;
  return {
    connection,
    partitions: env.WEIR_KAFKA_PARTITIONS,
    replicationFactor: env.WEIR_KAFKA_REPLICATION_FACTOR,
    sessionTimeoutMs: env.WEIR_KAFKA_SESSION_TIMEOUT_MS,
    client: env.WEIR_KAFKA_CLIENT,
    chunkBytes: env.WEIR_KAFKA_CHUNK_BYTES,
    maxValueBytes: env.WEIR_KAFKA_MAX_VALUE_BYTES,
  };
}

/** The Host names and CORS origins the HTTP server accepts. */
export function httpPolicySettings(env: EngineEnv): HttpPolicy {
  const own = [env.WEIR_ENGINE_HOST, env.WEIR_ENGINE_PUBLIC_URL]
    .map((value) => (value === undefined ? undefined : hostNameOf(value)))
    .filter((host): host is string => host !== undefined);
  return {
    allowedHosts: [...new Set([...LOCAL_HOST_NAMES, ...own, ...env.WEIR_ALLOWED_HOSTS])],
    corsOrigins: env.WEIR_CORS_ORIGINS.map((origin) => origin.replace(/\/+$/, "")),
  };
}

/**
 * The outbound policy for webhooks: WEIR_OUTBOUND_ALLOW, and this engine's own ingest (its port,
 * bind host, public host and the machine's interface addresses) refused unless allowed by port.
 */
export function outboundPolicySettings(
  env: EngineEnv,
  port: number,
  interfaceAddresses: readonly string[],
): OutboundPolicy {
  const hosts = [env.WEIR_ENGINE_HOST, env.WEIR_ENGINE_PUBLIC_URL]
    .map((value) => (value === undefined ? undefined : hostNameOf(value)))
    .filter((host): host is string => host !== undefined);
  const publicPort =
    env.WEIR_ENGINE_PUBLIC_URL === undefined ? undefined : new URL(env.WEIR_ENGINE_PUBLIC_URL).port;
  return {
    allow: env.WEIR_OUTBOUND_ALLOW,
    self: {
      ports: publicPort ? [port, Number(publicPort)] : [port],
      hosts: [...new Set([...hosts, ...interfaceAddresses])],
    },
  };
}
