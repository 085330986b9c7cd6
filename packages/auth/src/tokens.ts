// API tokens: `weir_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored, so a
// database dump holds nothing that authenticates. The token is looked up by that hash (an index
// lookup on a digest reveals nothing about the token through timing) and then compared again in
// constant time. Tokens are not better-auth's API keys because a Weir token carries a role that is
// capped by its owner's current role at every use, and is audited in Weir's own log.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "@weir/db";
import { isRole, lowerRole, roleAtLeast } from "./roles";
import type { Principal, Role } from "./roles";

export const TOKEN_PREFIX = "weir_";
/** How often a token's last-used time (and its audit entry) is refreshed. */
const LAST_USED_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface NewToken {
  id: string;
  /** The whole token: shown once, never stored. */
  token: string;
  name: string;
  role: Role;
  expiresAt: Date | null;
}

export interface TokenRequest {
  name: string;
  role: Role;
  /** Whose token it is. */
  userId: string;
  /** Who asked for it (the owner, or an admin). */
  createdBy: string;
  expiresAt?: Date | null;
}

/** Creates a token; the caller has checked that `role` is within what the creator and owner hold. */
export async function createToken(db: Db, request: TokenRequest): Promise<NewToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const row = await db.apiToken.create({
    data: {
      name: request.name,
      role: request.role,
      userId: request.userId,
      createdBy: request.createdBy,
      expiresAt: request.expiresAt ?? null,
      hash: hashToken(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    },
  });
  return { id: row.id, token, name: row.name, role: request.role, expiresAt: row.expiresAt };
}

export type TokenRefusal = "unknown" | "revoked" | "expired" | "owner disabled";

export type TokenCheck =
  { ok: true; principal: Principal; firstUseInWindow: boolean } | { ok: false; reason: TokenRefusal };

/** Resolves a presented token to who it acts as, or why it does not authenticate. */
export async function verifyToken(db: Db, presented: string, now = new Date()): Promise<TokenCheck> {
  if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 200) return { ok: false, reason: "unknown" };
  const digest = hashToken(presented);
  const row = await db.apiToken.findUnique({ where: { hash: digest }, include: { user: true } });
  if (!row || !timingSafeEqual(Buffer.from(row.hash, "hex"), Buffer.from(digest, "hex"))) {
    return { ok: false, reason: "unknown" };
  }
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  if (row.expiresAt && row.expiresAt <= now) return { ok: false, reason: "expired" };
  if (row.user.banned) return { ok: false, reason: "owner disabled" };
  const ownerRole: Role = isRole(row.user.role) ? row.user.role : "viewer";
  const tokenRole: Role = isRole(row.role) ? row.role : "viewer";
  // Refreshed at most once a minute per token: a busy script does not write on every call.
  const stale = new Date(now.getTime() - LAST_USED_EVERY_MS);
  const touched = await db.apiToken.updateMany({
    where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
    data: { lastUsedAt: now },
  });
  return {
    ok: true,
    firstUseInWindow: touched.count > 0,
    principal: {
      userId: row.userId,
      email: row.user.email,
      role: lowerRole(tokenRole, ownerRole),
      via: "token",
      tokenId: row.id,
    },
  };
}

/** Whether `creator` may give a token of `role` to `owner`. */
export function mayGrant(creator: Principal, ownerRole: Role, ownerId: string, role: Role): string | null {
  if (creator.userId !== ownerId && creator.role !== "admin")
    return "only an admin can create a token for someone else";
  if (!roleAtLeast(creator.role, role))
    return `a token cannot have a higher role (${role}) than its creator (${creator.role})`;
  if (!roleAtLeast(ownerRole, role))
    return `a token cannot have a higher role (${role}) than its owner (${ownerRole})`;
  return null;
}
