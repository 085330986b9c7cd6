// Who a request comes from: `Authorization: Bearer <token>` first, else the session cookie.
import type { Db } from "@weir/db";
import type { WeirAuth } from "./auth";
import { isRole } from "./roles";
import type { Principal } from "./roles";
import { verifyToken } from "./tokens";
import type { TokenRefusal } from "./tokens";

export type Authentication =
  { principal: Principal; tokenFirstUse?: boolean } | { principal: null; refused?: TokenRefusal };

export function bearerOf(headers: Headers): string | null {
  const value = headers.get("authorization");
  if (!value) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1] ?? "";
}

export async function authenticate(auth: WeirAuth, db: Db, headers: Headers): Promise<Authentication> {
  const bearer = bearerOf(headers);
  if (bearer !== null) {
    const check = await verifyToken(db, bearer);
    if (!check.ok) return { principal: null, refused: check.reason };
    return { principal: check.principal, tokenFirstUse: check.firstUseInWindow };
  }
  const session = await auth.api.getSession({ headers });
  if (!session) return { principal: null };
  const user = session.user as { id: string; email: string; role?: string | null; banned?: boolean | null };
  if (user.banned) return { principal: null };
  return {
    principal: {
      userId: user.id,
      email: user.email,
      role: isRole(user.role) ? user.role : "viewer",
      via: "session",
    },
  };
}
