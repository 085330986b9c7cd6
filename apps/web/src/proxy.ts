// Next.js Proxy (the file convention that replaced middleware in Next 16), run before every
// request: the app answers only to the Host names it knows, so a web page whose DNS name is
// rebound to 127.0.0.1 cannot read or drive the local editor and API (issue 10, finding 4).
import { NextResponse } from "next/server";
import type { NextRequest } from "next/server";
import { allowedHosts } from "./env";

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), lower-cased. */
export function hostOfHeader(header: string): string {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(value);
  if (bracketed) return bracketed[1] ?? "";
  const colon = value.indexOf(":");
  const host = colon >= 0 && value.indexOf(":", colon + 1) < 0 ? value.slice(0, colon) : value;
  return host.replace(/\.$/, "");
}

export function hostAllowed(header: string | null, allowed: readonly string[]): boolean {
  if (allowed.includes("*")) return true;
  if (header === null || header.trim() === "") return false;
  const host = hostOfHeader(header);
  return allowed.some((name) => (name.startsWith("*.") ? host.endsWith(name.slice(1)) : host === name));
}

const allowed = allowedHosts();

export function proxy(request: NextRequest): NextResponse {
  const host = request.headers.get("host");
  if (hostAllowed(host, allowed)) return NextResponse.next();
  return NextResponse.json(
    { error: `host '${host ?? "none"}' is not one Weir answers to; add it to WEIR_ALLOWED_HOSTS` },
    { status: 421 },
  );
}
