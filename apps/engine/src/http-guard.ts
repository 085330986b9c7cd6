// What every request to the engine's HTTP server passes before its body is read: the Host it
// names (DNS rebinding), its Origin (no CORS unless configured), its media type (no text/plain
// "simple requests" a web page could send), and its size. A refusal that leaves a body unread
// closes the connection after answering, so no caller ever reuses a half-read socket.
import type { IncomingMessage, ServerResponse } from "node:http";

export interface HttpPolicy {
  /** Host names the server answers to (no ports); "*" answers any. */
  allowedHosts: readonly string[];
  /** Origins a browser may call from (Access-Control-Allow-Origin); empty: none. */
  corsOrigins: readonly string[];
}

/** The names every engine answers to, whatever is configured. */
export const LOCAL_HOST_NAMES = ["localhost", "127.0.0.1", "::1"] as const;

/** The policy when nothing is configured: loopback names only, no CORS. */
export function defaultHttpPolicy(extraHosts: readonly string[] = []): HttpPolicy {
  return { allowedHosts: [...LOCAL_HOST_NAMES, ...extraHosts], corsOrigins: [] };
}

/** Host names from a URL or bind address worth answering to (not the wildcard binds). */
export function hostNameOf(hostOrUrl: string): string | undefined {
  let host = hostOrUrl;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostOrUrl)) host = new URL(hostOrUrl).hostname;
  host = normaliseHost(host);
  return host === "" || host === "0.0.0.0" || host === "::" ? undefined : host;
}

function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), lower-cased. */
export function hostOfHeader(header: string): string {
  const value = header.trim();
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(value);
  if (bracketed) return normaliseHost(bracketed[1] ?? "");
  const colon = value.indexOf(":");
  // More than one colon and no brackets: a bare IPv6 address (not valid in Host, but harmless).
  if (colon >= 0 && value.indexOf(":", colon + 1) < 0) return normaliseHost(value.slice(0, colon));
  return normaliseHost(value);
}

export function hostAllowed(policy: HttpPolicy, header: string | undefined): boolean {
  if (policy.allowedHosts.includes("*")) return true;
  if (header === undefined || header.trim() === "") return false;
  const host = hostOfHeader(header);
  return policy.allowedHosts.some((allowed) => {
    const name = normaliseHost(allowed);
    return name.startsWith("*.") ? host.endsWith(name.slice(1)) : host === name;
  });
}

/** `application/json`, with or without parameters such as charset. */
export function isJsonMediaType(header: string | undefined): boolean {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase();
  return type === "application/json";
}

export function originAllowed(policy: HttpPolicy, origin: string): boolean {
  return policy.corsOrigins.includes("*") || policy.corsOrigins.includes(origin.replace(/\/+$/, ""));
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

/**
 * Reads the body as UTF-8, up to `limit` bytes. Beyond that it stops buffering and rejects with
 * BodyTooLarge, leaving the stream open so the caller can answer and then drain or close it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** How long a refused request's remaining body is read (and thrown away) before the socket is cut. */
const DRAIN_MS = 2000;

/** A JSON answer; CORS headers only for an allowed Origin. */
export function reply(
  req: IncomingMessage,
  res: ServerResponse,
  policy: HttpPolicy,
  status: number,
  body: unknown,
): void {
  const origin = req.headers.origin;
  if (origin !== undefined && originAllowed(policy, origin)) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "Origin");
  }
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

/**
 * Answers a request whose body was not (fully) read, then closes the connection: the answer says
 * `Connection: close`, the rest of the body is read and dropped for a moment so the client sees
 * the answer rather than a reset, and the socket is destroyed if the client keeps sending.
 */
export function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  policy: HttpPolicy,
  status: number,
  error: string,
): void {
  res.shouldKeepAlive = false;
  res.setHeader("connection", "close");
  reply(req, res, policy, status, { error });
  if (req.complete) return;
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), DRAIN_MS);
  timer.unref();
  socket.once("close", () => {
    clearTimeout(timer);
  });
  req.on("data", () => undefined);
  req.resume();
}

let configured: HttpPolicy | undefined;

/** Sets this process's policy; main.ts calls it once from the environment (WEIR_ALLOWED_HOSTS, …). */
export function configureHttpPolicy(policy: HttpPolicy | undefined): void {
  configured = policy;
}

/** The configured policy, or the default one answering to loopback names and `listenHost`. */
export function currentHttpPolicy(listenHost: string): HttpPolicy {
  if (configured) return configured;
  const own = hostNameOf(listenHost);
  return defaultHttpPolicy(own === undefined ? [] : [own]);
}
