// Who may call the engine's HTTP endpoints. `/trigger` (run user code on sample records) only the
// web process, which shows the shared WEIR_INTERNAL_KEY; `/ingest/<flow>/<node>` whoever holds the
// node's ingest token, unless the node is public. Keys and tokens are compared in constant time
// (both sides hashed first, so even their lengths do not show in the timing).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The header the web process sends WEIR_INTERNAL_KEY in. */
export const INTERNAL_KEY_HEADER = "x-weir-internal-key";

/** How long a node's ingest token is trusted before it is read again (a rotation takes this long). */
export const INGEST_TOKEN_TTL_MS = 1000;

export function safeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** A refusal: the status and the message the caller gets. */
export interface Refusal {
  status: 401 | 403 | 503;
  error: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** null when the request carries the internal key; else 401 (none given) or 403 (another). */
export function checkInternalKey(req: IncomingMessage, internalKey: string | undefined): Refusal | null {
  const given = header(req, INTERNAL_KEY_HEADER);
  if (given === undefined || given === "") {
    return {
      status: 401,
      error: `this endpoint needs the ${INTERNAL_KEY_HEADER} header (the web app's WEIR_INTERNAL_KEY)`,
    };
  }
  if (internalKey === undefined || !safeEqual(given, internalKey)) {
    return {
      status: 403,
      error: `wrong ${INTERNAL_KEY_HEADER}: the web app and the engine must share WEIR_INTERNAL_KEY`,
    };
  }
  return null;
}

/** The token a request presents: `Authorization: Bearer <token>`, or an `x-weir-ingest-token` header. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const authorization = header(req, "authorization");
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  return bearer ?? header(req, "x-weir-ingest-token") ?? undefined;
}

/** Each node's current ingest token, read again after INGEST_TOKEN_TTL_MS (so rotation takes effect). */
export class IngestTokenCache {
  private readonly cached = new Map<string, { token: Promise<string>; at: number }>();

  constructor(
    private readonly load: (flowId: string, nodeId: string) => Promise<string>,
    private readonly ttlMs = INGEST_TOKEN_TTL_MS,
  ) {}

  get(flowId: string, nodeId: string): Promise<string> {
    const key = `${flowId}/${nodeId}`;
    const hit = this.cached.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.token;
    const token = this.load(flowId, nodeId);
    this.cached.set(key, { token, at: Date.now() });
    // A failed read is not kept: the next request tries again.
    token.catch(() => {
      if (this.cached.get(key)?.token === token) this.cached.delete(key);
    });
    return token;
  }
}

/** null when the request may feed the node; else why not. */
export async function checkIngestToken(
  req: IncomingMessage,
  current: () => Promise<string>,
): Promise<Refusal | null> {
  const given = presentedToken(req);
  if (given === undefined || given === "") {
    return {
      status: 401,
      error:
        "this node needs its ingest token: send Authorization: Bearer <token> (shown in the node's inspector), or make the node public",
    };
  }
  let expected: string;
  try {
    expected = await current();
  } catch {
    return { status: 503, error: "the node's ingest token cannot be read: the engine needs WEIR_SECRET_KEY" };
  }
  if (!safeEqual(given, expected)) return { status: 401, error: "wrong ingest token for this node" };
  return null;
}
