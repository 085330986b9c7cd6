// Pure address classification for the outbound policy: which IP addresses a user-configured
// URL may reach by default. No DNS, no sockets: the connect-time guard (guard.ts) calls these
// with the addresses a name resolved to.
import { isIP } from "node:net";

/** Why an address is refused by default; `public` is the only category allowed. */
export type AddressCategory =
  | "public"
  | "loopback"
  | "private"
  | "link-local/metadata"
  | "unspecified"
  | "shared (CGNAT)"
  | "multicast/reserved";

interface Range {
  bits: bigint;
  prefix: number;
  width: 32 | 128;
  category: Exclude<AddressCategory, "public">;
}

/** A parsed IP address: its family and its value as an unsigned integer. */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

/**
 * Parses an IP address in any spelling a URL or a resolver may give: dotted IPv4, IPv6 with or
 * without brackets (a zone index is dropped), and the decimal, octal and hex IPv4 forms that
 * URL parsers accept (`2852039166`, `0251.0376.0251.0376`, `0xa9fea9fe`). Undefined for a name.
 */
export function parseIp(input: string): IpAddress | undefined {
  let text = input.trim().toLowerCase();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (isIP(text) === 6) return { family: 6, value: parseIpv6(text) };
  const v4 = parseIpv4Loose(text);
  return v4 === undefined ? undefined : { family: 4, value: v4 };
}

/** IPv4 as `inet_aton` reads it: 1 to 4 parts, each decimal, octal (0…) or hex (0x…). */
function parseIpv4Loose(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length > 4 || parts.some((p) => p === "")) return undefined;
  const numbers: bigint[] = [];
  for (const part of parts) {
    let n: bigint;
    if (/^0x[0-9a-f]*$/.test(part)) n = part.length === 2 ? 0n : BigInt(part);
    else if (/^0[0-7]+$/.test(part)) n = BigInt(`0o${part.slice(1)}`);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) n = BigInt(part);
    else return undefined;
    numbers.push(n);
  }
  const last = numbers.at(-1) ?? 0n;
  const head = numbers.slice(0, -1);
  if (head.some((n) => n > 255n)) return undefined;
  const lastBits = BigInt(8 * (4 - head.length));
  if (last >= 1n << lastBits) return undefined;
  let value = 0n;
  for (const n of head) value = (value << 8n) | n;
  return (value << lastBits) | last;
}

function parseIpv6(text: string): bigint {
  let head = text;
  let v4Tail: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    v4Tail = parseIpv4Loose(text.slice(lastColon + 1)) ?? 0n;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = head.split("::");
  const leftGroups = left === "" ? [] : left.split(":");
  const rightGroups = right === undefined || right === "" ? [] : right.split(":");
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [
    ...leftGroups,
    ...Array<string>(right === undefined ? 0 : missing).fill("0"),
    ...rightGroups,
  ];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(`0x${group || "0"}`);
  if (v4Tail !== undefined) value = (value & ~0xffffffffn) | v4Tail;
  return value;
}

function range(cidr: string, category: Range["category"]): Range {
  const [address = "", prefix = ""] = cidr.split("/");
  const ip = parseIp(address);
  if (!ip) throw new Error(`bad range ${cidr}`);
  return { bits: ip.value, prefix: Number(prefix), width: ip.family === 4 ? 32 : 128, category };
}

const V4_RANGES: readonly Range[] = [
  range("169.254.0.0/16", "link-local/metadata"),
  range("127.0.0.0/8", "loopback"),
  range("0.0.0.0/8", "unspecified"),
  range("10.0.0.0/8", "private"),
  range("172.16.0.0/12", "private"),
  range("192.168.0.0/16", "private"),
  range("192.0.0.0/24", "private"),
  range("198.18.0.0/15", "private"),
  range("100.64.0.0/10", "shared (CGNAT)"),
  range("224.0.0.0/4", "multicast/reserved"),
  range("240.0.0.0/4", "multicast/reserved"),
];

const V6_RANGES: readonly Range[] = [
  range("::1/128", "loopback"),
  range("::/128", "unspecified"),
  range("fd00:ec2::254/128", "link-local/metadata"),
  range("fe80::/10", "link-local/metadata"),
  range("fc00::/7", "private"),
  range("fec0::/10", "private"),
  range("ff00::/8", "multicast/reserved"),
];

/** IPv6 forms that carry an IPv4 address, which is then what counts: mapped, compatible, NAT64, 6to4. */
function embeddedIpv4(value: bigint): bigint | undefined {
  const high96 = value >> 32n;
  if (high96 === 0xffffn || high96 === 0n) return value & 0xffffffffn; // ::ffff:a.b.c.d, ::a.b.c.d
  if (high96 === 0x0064ff9b0000000000000000n) return value & 0xffffffffn; // 64:ff9b::/96
  if (value >> 112n === 0x2002n) return (value >> 80n) & 0xffffffffn; // 2002:AABB:CCDD::/48
  return undefined;
}

export function inRange(ip: IpAddress, bits: bigint, prefix: number, width: 32 | 128): boolean {
  if ((ip.family === 4 ? 32 : 128) !== width) return false;
  const shift = BigInt(width - prefix);
  return ip.value >> shift === bits >> shift;
}

/** The category of an address; `public` unless it falls in a range refused by default. */
export function classifyAddress(ip: IpAddress): AddressCategory {
  if (ip.family === 6) {
    // ::1 and :: first: they would otherwise read as IPv4-compatible 0.0.0.1 / 0.0.0.0.
    for (const r of V6_RANGES.slice(0, 2)) if (inRange(ip, r.bits, r.prefix, r.width)) return r.category;
    const v4 = embeddedIpv4(ip.value);
    if (v4 !== undefined) return classifyAddress({ family: 4, value: v4 });
    for (const r of V6_RANGES) if (inRange(ip, r.bits, r.prefix, r.width)) return r.category;
    return "public";
  }
  for (const r of V4_RANGES) if (inRange(ip, r.bits, r.prefix, r.width)) return r.category;
  return "public";
}

/** Names of cloud metadata services, refused whatever they resolve to. */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data"]);

export function isMetadataName(hostname: string): boolean {
  return METADATA_NAMES.has(hostname.toLowerCase().replace(/\.$/, ""));
}

/** Canonical text of an address, for messages and comparisons. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 255n)).join(".");
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip.value >> s) & 0xffffn).toString(16));
  return groups.join(":");
}
