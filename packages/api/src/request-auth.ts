// Who an HTTP request to the API comes from, and the cross-site check for cookie sessions.
import type { Authentication, Principal } from "@weir/auth";
import type { Db } from "@weir/db";
import { recordAudit } from "./audit";

export type Authenticate = (req: Request) => Promise<Authentication>;

export type Caller = { principal: Principal | null; refusal?: string } | { refused: Response };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A cookie rides along on any request the browser sends, including one a hostile page makes it
 * send; so a change made with a session must come from a page of this origin. Tokens are never
 * sent by the browser on its own and need no such check.
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  const host = req.headers.get("host") ?? new URL(req.url).host;
  if (!origin || origin === "null") return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export async function callerOf(req: Request, db: Db, authenticate: Authenticate): Promise<Caller> {
  const authentication = await authenticate(req);
  const { principal } = authentication;
  if (!principal)
    return authentication.refused
      ? { principal: null, refusal: authentication.refused }
      : { principal: null };
  if (principal.via === "session" && !SAFE_METHODS.has(req.method) && !sameOrigin(req)) {
    return {
      refused: Response.json(
        {
          error: {
            code: "FORBIDDEN",
            message: "cross-site request refused: it did not come from a page of this origin",
          },
        },
        { status: 403 },
      ),
    };
  }
  if ("tokenFirstUse" in authentication && authentication.tokenFirstUse) {
    await recordAudit(db, { action: "auth.token-use", principal, target: principal.tokenId ?? null });
  }
  return { principal };
}
