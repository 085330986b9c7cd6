// Applies the outbound policy where it cannot be bypassed: in the `lookup` a socket uses to
// connect, so every address a name resolves to (now, not when the flow was saved) is checked,
// and a DNS answer that changes between check and connect (rebinding) changes nothing.
import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { parseIp } from "./address";
import type { OutboundPolicy, Verdict } from "./policy";
import { checkOutbound } from "./policy";

let current: OutboundPolicy = { allow: [] };

/** Sets the policy of this process; the engine calls it once at start from its environment. */
export function configureOutboundPolicy(policy: OutboundPolicy): void {
  current = policy;
}

export function outboundPolicy(): OutboundPolicy {
  return current;
}

/** A connection refused by the outbound policy; never worth a retry. */
export class OutboundRefused extends Error {
  readonly code = "EOUTBOUND";
  constructor(reason: string) {
    super(reason);
    this.name = "OutboundRefused";
  }
}

function defaultPort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/**
 * What can be decided from the URL alone: an IP literal (in any spelling the URL parser turns
 * into dotted form) or a metadata host name. Names are otherwise checked at connect time.
 */
export function checkUrl(url: URL, what: string, policy: OutboundPolicy = current): Verdict {
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const ip = parseIp(hostname);
  return checkOutbound(policy, what, {
    hostname,
    port: defaultPort(url),
    address: ip ? hostname : undefined,
  });
}

/**
 * A `lookup` for http(s).Agent / net.connect that resolves `hostname` and refuses, with an
 * OutboundRefused error, when any address it resolves to is refused by the policy.
 */
export function guardedLookup(
  what: string,
  port: number,
  policy: () => OutboundPolicy = outboundPolicy,
): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, "", 0);
        return;
      }
      for (const { address } of addresses) {
        const verdict = checkOutbound(policy(), what, { hostname, port, address });
        if (!verdict.ok) {
          callback(new OutboundRefused(verdict.reason), "", 0);
          return;
        }
      }
      if (options.all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return;
      }
      const first = addresses[0];
      if (!first)
        callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      else callback(null, first.address, first.family);
    });
  };
}
