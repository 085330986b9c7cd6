// The outbound policy: may a connection to a user-configured URL go to this address? Loopback,
// private, link-local/metadata and other internal ranges are refused unless the install allows
// them (WEIR_OUTBOUND_ALLOW); the engine's own ingest is refused unless allowed with its port.
import type { AddressCategory, IpAddress } from "./address";
import { classifyAddress, inRange, isMetadataName, parseIp } from "./address";

/** One WEIR_OUTBOUND_ALLOW entry: an address, a CIDR range or a host name, optionally `:port`. */
export type AllowEntry =
  | { kind: "range"; text: string; bits: bigint; prefix: number; width: 32 | 128; port?: number }
  | { kind: "name"; text: string; name: string; port?: number };

export interface OutboundPolicy {
  allow: readonly AllowEntry[];
  /**
   * The engine's own ingest: its port and the names it is reached by. A target on this port at a
   * loopback, unspecified or listed address is refused unless an allow entry names the port.
   */
  self?: { ports: readonly number[]; hosts: readonly string[] } | undefined;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export const ALLOW_SETTING = "WEIR_OUTBOUND_ALLOW";

/** Parses `127.0.0.1,10.0.0.0/8,host.example,[::1]:8080`; throws naming the first bad entry. */
export function parseAllowList(text: string | undefined): AllowEntry[] {
  const entries: AllowEntry[] = [];
  for (const raw of (text ?? "").split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    entries.push(parseAllowEntry(item));
  }
  return entries;
}

function parseAllowEntry(item: string): AllowEntry {
  let host = item;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  const hostPort = /^([^:]+):(\d+)$/.exec(item);
  if (bracketed) {
    host = bracketed[1] ?? "";
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if (hostPort) {
    host = hostPort[1] ?? "";
    port = Number(hostPort[2]);
  }
  if (port !== undefined && (port < 1 || port > 65535))
    throw new Error(`${ALLOW_SETTING}: bad port in '${item}'`);
  const withPort = port === undefined ? {} : { port };
  const [address = "", prefixText] = host.split("/");
  const ip = parseIp(address);
  if (ip) {
    const width = ip.family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? width : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > width)
      throw new Error(`${ALLOW_SETTING}: bad prefix length in '${item}'`);
    return { kind: "range", text: item, bits: ip.value, prefix, width, ...withPort };
  }
  if (
    prefixText !== undefined ||
    !/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)
  )
    throw new Error(`${ALLOW_SETTING}: '${item}' is not an address, a CIDR range or a host name`);
  return { kind: "name", text: item, name: host.toLowerCase(), ...withPort };
}

function portMatches(entry: AllowEntry, port: number): boolean {
  return entry.port === undefined || entry.port === port;
}

function nameMatches(entry: AllowEntry & { kind: "name" }, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (entry.name.startsWith("*.")) return host.endsWith(entry.name.slice(1));
  return host === entry.name;
}

function ipAllowed(policy: OutboundPolicy, ip: IpAddress, port: number, needPort: boolean): boolean {
  return policy.allow.some(
    (e) =>
      e.kind === "range" &&
      portMatches(e, port) &&
      (!needPort || e.port !== undefined) &&
      inRange(ip, e.bits, e.prefix, e.width),
  );
}

function hostAllowed(policy: OutboundPolicy, hostname: string, port: number, needPort: boolean): boolean {
  return policy.allow.some(
    (e) =>
      e.kind === "name" &&
      portMatches(e, port) &&
      (!needPort || e.port !== undefined) &&
      nameMatches(e, hostname),
  );
}

function describe(category: AddressCategory): string {
  return category === "link-local/metadata" ? "a link-local/metadata address" : `a ${category} address`;
}

function isSelf(policy: OutboundPolicy, hostname: string, ip: IpAddress | undefined, port: number): boolean {
  const self = policy.self;
  if (!self?.ports.includes(port)) return false;
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (self.hosts.some((h) => h.toLowerCase().replace(/^\[|\]$/g, "") === host)) return true;
  if (!ip) return false;
  const category = classifyAddress(ip);
  if (category === "loopback" || category === "unspecified") return true;
  return self.hosts.some((h) => {
    const own = parseIp(h);
    return own !== undefined && own.family === ip.family && own.value === ip.value;
  });
}

/**
 * Checks one connection: `hostname` as the URL names it and `address`, the IP it resolved to
 * (the same as hostname for an IP literal; undefined before resolving, when only the name's own
 * rules apply). `what` starts the reason, e.g. "webhook target".
 */
export function checkOutbound(
  policy: OutboundPolicy,
  what: string,
  target: { hostname: string; port: number; address: string | undefined },
): Verdict {
  const { hostname, port } = target;
  const ip = target.address === undefined ? undefined : parseIp(target.address);
  const shown =
    target.address === undefined || hostname === target.address
      ? hostname
      : `${hostname} (${target.address})`;
  if (isSelf(policy, hostname, ip, port)) {
    const allowed =
      hostAllowed(policy, hostname, port, true) || (ip !== undefined && ipAllowed(policy, ip, port, true));
    if (allowed) return { ok: true };
    return {
      ok: false,
      reason: `${what} ${shown} port ${port} is this engine's own ingest; allow it with ${ALLOW_SETTING}=<host>:${port}`,
    };
  }
  if (hostAllowed(policy, hostname, port, false)) return { ok: true };
  if (isMetadataName(hostname)) {
    return {
      ok: false,
      reason: `${what} ${hostname} is a cloud metadata service; allow it with ${ALLOW_SETTING}`,
    };
  }
  if (target.address === undefined) return { ok: true };
  if (!ip) return { ok: false, reason: `${what} ${shown} is not an IP address` };
  const category = classifyAddress(ip);
  if (category === "public" || ipAllowed(policy, ip, port, false)) return { ok: true };
  return { ok: false, reason: `${what} ${shown} is ${describe(category)}; allow it with ${ALLOW_SETTING}` };
}
