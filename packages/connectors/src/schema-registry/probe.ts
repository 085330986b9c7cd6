// "Test connection" for a schema-registry profile: list the subjects with exactly the profile's
// URL, credentials and TLS, and when that fails say whether to look at the address, the
// credentials or TLS (the same answer shape as the Kafka probe).
import { RegistryClient, RegistryError } from "@weir/schema-registry";
import type { KafkaProbeFailure } from "../kafka-common/probe";
import type { RegistryConnectionConfig } from "./schema";

export type RegistryProbeResult =
  | { ok: true; subjects: string[]; ms: number }
  | { ok: false; failure: KafkaProbeFailure; message: string; ms: number };

const TLS = /certificate|self[- ]signed|CERT_|SSL|TLS|EPROTO|wrong version number/i;
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|no answer within/i;

/** Pure: which kind of failure an error from the registry client is. */
export function classifyRegistryError(error: unknown): KafkaProbeFailure {
  if (error instanceof RegistryError && (error.status === 401 || error.status === 403)) return "auth";
  const message = error instanceof Error ? error.message : String(error);
  if (TLS.test(message)) return "tls";
  if (error instanceof RegistryError && error.status === 0 && UNREACHABLE.test(message)) return "unreachable";
  return "other";
}

export async function probeRegistry(
  connection: RegistryConnectionConfig,
  options: { timeoutMs: number },
): Promise<RegistryProbeResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const client = new RegistryClient({
      url: connection.url,
      timeoutMs: options.timeoutMs,
      ...(connection.auth ? { auth: connection.auth } : {}),
      ...(connection.tls ? { tls: connection.tls } : {}),
    });
    const subjects = await client.subjects();
    return { ok: true, subjects: subjects.sort(), ms: ms() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: classifyRegistryError(error), message, ms: ms() };
  }
}
