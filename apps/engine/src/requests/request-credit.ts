// How an engine that holds an open request knows, on the Kafka transport, when every record of it
// has left the flow although the records are processed on other engines (credit recovery, a
// classic distributed termination detection). Each record of a request carries a share of credit.
// The source gives each record a fresh share; a node that makes outputs from a record hands part of
// the record's share to them; once the node is done with the record it sends what it kept back to
// the engine holding the request. The request is done when all the credit it issued is back.
// Unlike counting (+1 when a record is put on an edge, -1 when taken off), returning credit is
// order-free: a return from one engine can overtake another's and the sum stays right, so the
// replies need no ordering across engines. Returns are keyed by the record's token and the node
// that returns it, and tokens of outputs derive from their input's, so a record processed twice
// (at-least-once redelivery after a rebalance) returns the same keys and is counted once.
import { createHash } from "node:crypto";
import type { WeirRecord } from "@weir/domain";
import { withHeaders } from "@weir/domain";

/** The address of the engine holding the request: its reply topic. */
export const REPLY_HEADER = "weir-request-reply";
/** When the request times out (epoch ms): any engine drops its records past it, unasked. */
export const DEADLINE_HEADER = "weir-request-deadline";
/** Which copy of a record this is (hex; unique within its request). */
export const TOKEN_HEADER = "weir-request-token";
/** The record's share of its request's credit (hex). */
export const CREDIT_HEADER = "weir-request-credit";

/** Each record the source emits gets this much (per edge copy): room for deep and wide fan-outs. */
export const SOURCE_CREDIT = 1n << 256n;

export interface Credit {
  token: string;
  amount: bigint;
}

/** The record's token and credit, or undefined when it carries none (not a tracked request record). */
export function creditOf(record: WeirRecord): Credit | undefined {
  const token = record.headers[TOKEN_HEADER];
  const credit = record.headers[CREDIT_HEADER];
  if (token === undefined || credit === undefined || !/^[0-9a-f]{1,128}$/.test(credit)) return undefined;
  return { token, amount: BigInt(`0x${credit}`) };
}

export function withCredit(record: WeirRecord, credit: Credit): WeirRecord {
  return withHeaders(record, {
    ...record.headers,
    [TOKEN_HEADER]: credit.token,
    [CREDIT_HEADER]: credit.amount.toString(16),
  });
}

/** A token that depends only on where it comes from, so redelivered work repeats it. */
export function childToken(parent: string, nodeId: string, index: number): string {
  return createHash("sha256")
    .update(`${parent}/${nodeId}/${String(index)}`)
    .digest("hex")
    .slice(0, 24);
}

/**
 * The credit of the `index`-th output (from 1) of a record holding `parent`, sent on `copies`
 * edges (each copy carries it). Output i gets parent / (copies · i · (i+1)), so all outputs
 * together never take more than the parent had (Σ 1/(i(i+1)) < 1), whatever their number and
 * however many sends they come in: a function streaming 10,000 outputs spends about 27 bits of
 * the 256 a source record starts with. 0 means the share ran out (the request cannot be tracked).
 */
export function childCredit(parent: bigint, copies: number, index: number): bigint {
  const i = BigInt(index);
  return parent / (BigInt(copies) * i * (i + 1n));
}

/** What one node keeps of each record it is working on: the credit it passed on to outputs. */
export class CreditBook {
  private readonly entries = new Map<string, { outputs: number; passed: bigint }>();

  constructor(readonly nodeId: string) {}

  /**
   * Gives each output record (sent on `copies` edges) its share of its input's credit; false when
   * the share ran out. `input` is the credit the outputs carried over from their input.
   */
  pass(input: Credit, copies: number): Credit | undefined {
    const entry = this.entries.get(input.token) ?? { outputs: 0, passed: 0n };
    this.entries.set(input.token, entry);
    entry.outputs++;
    const amount = childCredit(input.amount, copies, entry.outputs);
    if (amount === 0n) return undefined;
    entry.passed += amount * BigInt(copies);
    return { token: childToken(input.token, this.nodeId, entry.outputs), amount };
  }

  /** The node is done with the record: what it kept goes back to the request's engine. */
  settle(input: Credit): bigint {
    const passed = this.entries.get(input.token)?.passed ?? 0n;
    this.entries.delete(input.token);
    return input.amount - passed;
  }
}
