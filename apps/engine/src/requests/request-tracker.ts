import { randomUUID } from "node:crypto";
import type { WeirRecord } from "@weir/domain";

/** The record header that says which request a record belongs to (set by an `http-request` source). */
export const REQUEST_HEADER = "weir-request-id";

/** Where a request's answer goes: written record by record, ended once, or failed. */
export interface ResponseTarget {
  write(record: WeirRecord): void;
  end(): void;
  fail(status: number, error: string): void;
  /** A promise while the answer's buffer is full (its client reads slower than the flow writes). */
  whenWritable?(): Promise<void> | undefined;
}

/** Which node on which engine last gave back credit of a request (said in its 504). */
export interface Progress {
  engine: string;
  node: string;
  at: number;
}

interface OpenRequest {
  flowId: string;
  target: ResponseTarget;
  /** When it times out (epoch ms). */
  deadline: number;
  /** Records of the request on an edge or inside a node (taken, not yet acked). */
  pending: number;
  /** Across engines (Kafka): credit issued to its records and not yet given back (request-credit.ts). */
  outstanding: bigint;
  /** Credit returns and answer records already taken, by token and node: a redelivered record counts once. */
  seen: Set<string>;
  /** Answer records written so far. */
  answered: number;
  progress: Progress | undefined;
  /** The source has emitted every record of the request. */
  sealed: boolean;
  /** Timed out or abandoned by the client: its records still in the flow are dropped. */
  cancelled: boolean;
  timer: NodeJS.Timeout;
}

/**
 * Knows, for every request a flow is answering, how many of its records are still inside the
 * flow. A record counts once per edge it is put on (fan-out counts each copy) and stops counting
 * when the node that took it acks it: its outputs are on their edges (counted already), it was
 * dropped by a filter, dead-lettered, or written by a sink. So the request is done when its source
 * has emitted everything and the count is back to zero; the answer then ends.
 */
export class RequestTracker {
  private readonly open = new Map<string, OpenRequest>();

  /** `cancelled` hears of every request cancelled here (timed out, client gone), to tell other engines. */
  constructor(private readonly cancelled?: (id: string, deadline: number) => void) {}

  /** Starts a request; it fails with 504 unless done within `timeoutMs`. */
  start(flowId: string, target: ResponseTarget, timeoutMs: number): string {
    const id = randomUUID();
    const timer = setTimeout(() => {
      const request = this.open.get(id);
      if (!request || request.cancelled) return;
      request.target.fail(504, timedOut(timeoutMs, request));
      this.cancel(id);
    }, timeoutMs);
    timer.unref();
    this.open.set(id, {
      flowId,
      target,
      deadline: Date.now() + timeoutMs,
      pending: 0,
      outstanding: 0n,
      seen: new Set(),
      answered: 0,
      progress: undefined,
      sealed: false,
      cancelled: false,
      timer,
    });
    return id;
  }

  /** The source has emitted every record of the request (or failed to). */
  seal(id: string): void {
    const request = this.open.get(id);
    if (!request) return;
    request.sealed = true;
    this.settle(id, request);
  }

  /** The client went away or the request timed out: the rest of its work is dropped. */
  cancel(id: string): void {
    const request = this.open.get(id);
    if (!request || request.cancelled) return;
    request.cancelled = true;
    clearTimeout(request.timer);
    this.cancelled?.(id, request.deadline);
    this.settle(id, request);
    // Credit held by an engine that died never comes back: forget the request after a while.
    if (this.open.has(id) && request.outstanding > 0n)
      setTimeout(() => this.open.delete(id), FORGET_CANCELLED_MS).unref();
  }

  /** Ends the request with an error now (e.g. its body was refused before any record left). */
  fail(id: string, status: number, error: string): void {
    const request = this.open.get(id);
    if (!request || request.cancelled) return;
    request.target.fail(status, error);
    this.cancel(id);
  }

  /** `count` more records of these requests are on edges. */
  add(record: WeirRecord, count: number): void {
    const id = record.headers[REQUEST_HEADER];
    if (id === undefined || count === 0) return;
    const request = this.open.get(id);
    if (request) request.pending += count;
  }

  /** A node is done with this record. */
  release(record: WeirRecord): void {
    const id = record.headers[REQUEST_HEADER];
    if (id === undefined) return;
    const request = this.open.get(id);
    if (!request) return;
    request.pending--;
    this.settle(id, request);
  }

  /** Whether the record belongs to a request that was cancelled (its work is to be dropped). */
  isCancelled(record: WeirRecord): boolean {
    const id = record.headers[REQUEST_HEADER];
    return id !== undefined && this.open.get(id)?.cancelled === true;
  }

  /** A record reached a response sink: written to its request's answer. False when no one waits for it. */
  deliver(record: WeirRecord): boolean {
    const id = record.headers[REQUEST_HEADER];
    const request = id === undefined ? undefined : this.open.get(id);
    if (!request || request.cancelled) return false;
    request.answered++;
    request.target.write(record);
    return true;
  }

  /** When the request times out (epoch ms); undefined once it is no longer open. */
  deadlineOf(id: string): number | undefined {
    return this.open.get(id)?.deadline;
  }

  /** Its source gave a record `amount` of credit (across engines; see request-credit.ts). */
  issue(id: string, amount: bigint): void {
    const request = this.open.get(id);
    if (request) request.outstanding += amount;
  }

  /** A node is done with a record (`key`: its token and the node) and gives back what it kept. */
  giveBack(id: string, key: string, amount: bigint, from: Omit<Progress, "at">): void {
    const request = this.open.get(id);
    if (!request || request.seen.has(`return ${key}`)) return;
    request.seen.add(`return ${key}`);
    request.outstanding -= amount;
    request.progress = { ...from, at: Date.now() };
    this.settle(id, request);
  }

  /** An answer record from a response sink on any engine (`key`: its token and the sink), once. */
  deliverOnce(key: string, record: WeirRecord): void {
    const id = record.headers[REQUEST_HEADER];
    const request = id === undefined ? undefined : this.open.get(id);
    if (!request || request.seen.has(`answer ${key}`)) return;
    request.seen.add(`answer ${key}`);
    this.deliver(record);
  }

  /** Resolves once the answer of the record's request can take more; undefined when it can now. */
  whenWritable(record: WeirRecord): Promise<void> | undefined {
    const id = record.headers[REQUEST_HEADER];
    const request = id === undefined ? undefined : this.open.get(id);
    if (!request || request.cancelled) return undefined;
    return request.target.whenWritable?.();
  }

  /** Requests still answering (for tests and metrics). */
  get size(): number {
    return this.open.size;
  }

  private settle(id: string, request: OpenRequest): void {
    if (request.pending > 0 || request.outstanding > 0n) return;
    if (request.cancelled) {
      // Forgotten once its last record is dropped (and the source emitted all it will).
      if (request.sealed) this.open.delete(id);
      return;
    }
    if (!request.sealed) return;
    clearTimeout(request.timer);
    this.open.delete(id);
    request.target.end();
  }
}

const FORGET_CANCELLED_MS = 60_000;

function timedOut(timeoutMs: number, request: OpenRequest): string {
  const unsealed = request.sealed ? "" : " (the source had not finished accepting it)";
  const advice = "; raise the http-request node's timeoutMs or make the flow faster";
  if (request.outstanding === 0n)
    return `request timed out after ${timeoutMs} ms with ${request.pending} of its records still in flow ${request.flowId}${unsealed}${advice}`;
  // Across engines only this engine's share is known: say what was answered and who last moved it.
  const { progress } = request;
  const last = progress
    ? `; the last record to leave it left node '${progress.node}' on engine ${progress.engine} ${String(Date.now() - progress.at)} ms before`
    : "; no record of it had left the flow yet";
  return `request timed out after ${timeoutMs} ms with records still in flow ${request.flowId}${unsealed} (${String(request.answered)} answered so far${last})${advice}`;
}
