import type { PortRecord, WeirRecord } from "@weir/domain";
import { withHeaders } from "@weir/domain";

/**
 * Headers the engine itself keeps on every output of a record, whatever the function returned:
 * the request a record answers (request/response flows: its id, and on Kafka the engine awaiting
 * it, its deadline and the input's token and credit, which the output's credit is taken from; see
 * requests/request-credit.ts) and its trace context. A function that sets its own `headers`
 * replaces the input's, which would otherwise cut a request short.
 */
export const CARRIED_HEADERS: readonly string[] = [
  "weir-request-id",
  "weir-request-reply",
  "weir-request-deadline",
  "weir-request-token",
  "weir-request-credit",
  "traceparent",
  "tracestate",
];

export function carryHeaders(input: WeirRecord, outputs: PortRecord[]): PortRecord[] {
  let carried: [string, string][] | undefined;
  for (const name of CARRIED_HEADERS) {
    const value = input.headers[name];
    if (value !== undefined) (carried ??= []).push([name, value]);
  }
  if (carried === undefined) return outputs;
  for (const output of outputs) {
    const headers = output.record.headers;
    if (carried.every(([name, value]) => headers[name] === value)) continue;
    const copy = { ...headers };
    for (const [name, value] of carried) copy[name] = value;
    output.record = withHeaders(output.record, copy);
  }
  return outputs;
}
