// "Test connection" for a Kafka connection profile: connect with exactly the profile's brokers,
// TLS and SASL, list the topics, and when that fails say which of the usual causes it was, so a
// person fixing a profile knows whether to look at the address, the credentials or TLS.
import { Kafka, logLevel } from "kafkajs";
import { saslOptions } from "./client";
import type { KafkaConnection } from "./schema";

export type KafkaProbeFailure = "unreachable" | "auth" | "tls" | "other";

export type KafkaProbeResult =
  | { ok: true; topics: string[]; brokers: number; ms: number }
  | { ok: false; failure: KafkaProbeFailure; message: string; ms: number };

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** Every error in the chain kafkajs wraps (retries wrap the cause in originalError). */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let at: unknown = error;
  while (typeof at === "object" && at !== null && out.length < 8) {
    const e = at as ErrorLike;
    out.push(e);
    at = e.originalError ?? e.cause;
  }
  return out;
}

const text = (e: ErrorLike): string =>
  [e.name, e.message, e.code, e.type].filter((v) => typeof v === "string").join(" ");

/** Pure: which kind of failure an error from connecting is, given whether TLS and SASL were on. */
export function classifyKafkaError(
  error: unknown,
  options: { ssl: boolean; sasl: boolean },
): { failure: KafkaProbeFailure; message: string } {
  const errors = chain(error);
  const all = errors.map(text).join(" | ");
  const root = errors.at(-1);
  const detail = typeof root?.message === "string" && root.message !== "" ? root.message : all;
  if (/SASL|authenticat|UNSUPPORTED_SASL|ILLEGAL_SASL|SaslAuthenticate/i.test(all)) {
    return { failure: "auth", message: `authentication failed: ${detail}` };
  }
  if (
    /\b(SSL|TLS)\b|certificate|self[- ]signed|EPROTO|wrong version number|CERT_|UNABLE_TO_VERIFY/i.test(all)
  ) {
    return { failure: "tls", message: `TLS failed: ${detail}` };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|Connection timeout/i.test(all)) {
    return { failure: "unreachable", message: `brokers unreachable: ${detail}` };
  }
  // A broker that hangs up at once: TLS spoken to a plaintext port (or the reverse), or SASL to
  // a listener without it; with neither on, the address answers but is not a Kafka broker.
  if (/ECONNRESET|Connection closed|socket hang up|disconnected/i.test(all)) {
    if (options.ssl)
      return { failure: "tls", message: `TLS failed (the broker closed the connection): ${detail}` };
    if (options.sasl)
      return {
        failure: "auth",
        message: `authentication failed (the broker closed the connection): ${detail}`,
      };
    return { failure: "unreachable", message: `the broker closed the connection: ${detail}` };
  }
  return { failure: "other", message: detail };
}

/** Connects, lists topics and disconnects; never throws. */
export async function probeKafka(
  connection: KafkaConnection,
  options: { timeoutMs?: number } = {},
): Promise<KafkaProbeResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const started = Date.now();
  const kafka = new Kafka({
    clientId: "weir-connection-test",
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: saslOptions(connection.sasl) } : {}),
    connectionTimeout: Math.min(timeoutMs, 3_000),
    authenticationTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    // One attempt: a test connection must answer now, not after kafkajs' minute of backoff.
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error(`no answer within ${String(timeoutMs)} ms`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
  });
  try {
    const topics = await Promise.race([
      (async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        const names = await admin.listTopics();
        return { names, brokers: cluster.brokers.length };
      })(),
      deadline,
    ]);
    return {
      ok: true,
      topics: topics.names.filter((t) => !t.startsWith("__")).sort(),
      brokers: topics.brokers,
      ms: Date.now() - started,
    };
  } catch (error) {
    return {
      ok: false,
      ...classifyKafkaError(error, { ssl: connection.ssl, sasl: connection.sasl !== undefined }),
      ms: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
