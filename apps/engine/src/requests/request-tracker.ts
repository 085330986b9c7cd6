import { randomUUID } from "node:crypto";
import type { WeirRecord } from "@weir/domain";

/** The record header that says which request a record belongs to (set by an `http-request` source). */
export const REQUEST_HEADER = "weir-request-id";

/** Where a request's answer goes: written record by record, ended once, or failed. */
export interface ResponseTarget {
  write(record: WeirRecord): void;
  end(): void;
  fail(status: number, error: string): void;
}

interface OpenRequest {
  flowId: string;
  target: ResponseTarget;
  /** Records of the request on an edge or inside a node (taken, not yet acked). */
  pending: number;
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

  /** Starts a request; it fails with 504 unless done within `timeoutMs`. */
  start(flowId: string, target: ResponseTarget, timeoutMs: number): string {
    const id = randomUUID();
    const timer = setTimeout(() => {
      const request = this.open.get(id);
      if (!request || request.cancelled) return;
      request.target.fail(
        504,
        `request timed out after ${timeoutMs} ms with ${request.pending} of its records still in flow ${flowId}` +
          (request.sealed ? "" : " (the source had not finished accepting it)") +
          "; raise the http-request node's timeoutMs or make the flow faster",
      );
      this.cancel(id);
    }, timeoutMs);
    timer.unref();
    this.open.set(id, { flowId, target, pending: 0, sealed: false, cancelled: false, timer });
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
    this.settle(id, request);
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
    request.target.write(record);
    return true;
  }

  /** Requests still answering (for tests and metrics). */
  get size(): number {
    return this.open.size;
  }

  private settle(id: string, request: OpenRequest): void {
    if (request.pending > 0) return;
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
