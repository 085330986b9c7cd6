// The @platformatic/kafka client's errors: what they say, which are permanent, and calls that
// fail with the broker's reasons or after a deadline.
import { ProtocolError } from "@platformatic/kafka";

/**
 * The client's errors nest: "Listing topics failed." wraps a MultipleErrors whose errors say
 * what the broker answered (a SASL refusal, REBALANCE_IN_PROGRESS). All of it, once each.
 */
export function describeKafkaError(error: unknown): string {
  const seen = new Set<string>();
  const walk = (e: unknown, depth: number): void => {
    if (depth > 6) return;
    if (!(e instanceof Error)) {
      if (typeof e === "string") seen.add(e);
      return;
    }
    if (e.message) seen.add(e.message);
    const nested = (e as Error & { errors?: unknown }).errors;
    if (Array.isArray(nested)) for (const inner of nested) walk(inner, depth + 1);
    walk(e.cause, depth + 1);
  };
  walk(error, 0);
  return [...seen].join(": ");
}

/**
 * A send (or commit) that has not settled by then fails, so the writer retries it on a fresh
 * producer (as kafkajs' request timeout does): the client can wait on metadata it never gets.
 */
export const SEND_TIMEOUT_MS = 30_000;

export function withTimeout<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(ms)} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Runs a client call; its failure carries the broker's reasons (describeKafkaError). */
export async function explained<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new Error(`${what}: ${describeKafkaError(error)}`, { cause: error });
  }
}

/** The broker's error ids (TOPIC_ALREADY_EXISTS, …) a client error carries; none when it carries other errors. */
export function protocolErrorIds(error: unknown): string[] {
  if (error instanceof ProtocolError) return [String((error as Error & { apiId?: string }).apiId)];
  if (!(error instanceof Error)) return ["?"];
  const nested = (error as Error & { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0) return nested.flatMap(protocolErrorIds);
  return error.cause === undefined ? ["?"] : protocolErrorIds(error.cause);
}

/** A protocol error the broker marks as not retriable (a record too large, no authorization). */
export function isPermanent(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ProtocolError) return (error as Error & { canRetry?: boolean }).canRetry === false;
  const nested = (error as Error & { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0 && nested.every(isPermanent)) return true;
  return error.cause !== undefined && isPermanent(error.cause);
}
