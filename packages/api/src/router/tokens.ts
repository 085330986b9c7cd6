// API tokens: anyone signed in manages their own; admins manage everyone's. A token's value is
// returned once, by create; lists show its name, role, prefix, expiry and last use.
import { TRPCError } from "@trpc/server";
import { ROLES, createToken, isRole, mayGrant } from "@weir/auth";
import { z } from "zod";
import { notFound } from "../errors";
import { afterTimeAndId, cursors, pageFields } from "../pagination";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { iso, isoOrNull } from "../views";

const tokenId = z.uuid("must be a token id");

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  role: string;
  userId: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  user: { email: string };
}

function toView(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    userId: row.userId,
    owner: row.user.email,
    expiresAt: isoOrNull(row.expiresAt),
    revokedAt: isoOrNull(row.revokedAt),
    lastUsedAt: isoOrNull(row.lastUsedAt),
    createdAt: iso(row.createdAt),
  };
}

export const tokensRouter = createTRPCRouter({
  /** The caller's tokens; an admin passing `all: true` sees everyone's. */
  list: viewerProcedure
    .input(z.object({ all: z.boolean().optional(), ...pageFields(cursors.timeAndUuid) }).default({}))
    .query(async ({ ctx, input }) => {
      if (input.all && ctx.principal.role !== "admin") {
        throw new TRPCError({ code: "FORBIDDEN", message: "only an admin can list everyone's tokens" });
      }
      const rows = await ctx.db.apiToken.findMany({
        where: {
          ...(input.all ? {} : { userId: ctx.principal.userId }),
          ...afterTimeAndId(input.cursor, { time: "createdAt", id: "id" }, "desc"),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.limit,
        include: { user: { select: { email: true } } },
      });
      return rows.map(toView);
    }),

  /** Returns the token itself once; it is stored only as a hash. */
  create: viewerProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "must not be empty").max(100),
        role: z.enum(ROLES),
        /** Whose token; the caller's own unless an admin says otherwise. */
        userId: z.string().min(1).max(200).optional(),
        /** Days until it stops working; never, when left out. */
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const ownerId = input.userId ?? ctx.principal.userId;
      const owner = await ctx.db.user.findUnique({ where: { id: ownerId } });
      if (!owner) throw notFound(`user ${ownerId} not found`);
      const ownerRole = isRole(owner.role) ? owner.role : "viewer";
      const refusal = mayGrant(ctx.principal, ownerRole, ownerId, input.role);
      if (refusal) throw new TRPCError({ code: "FORBIDDEN", message: refusal });
      const expiresAt =
        input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * 86_400_000);
      const made = await createToken(ctx.db, {
        name: input.name,
        role: input.role,
        userId: ownerId,
        createdBy: ctx.principal.userId,
        expiresAt,
      });
      return { ...made, expiresAt: isoOrNull(made.expiresAt) };
    }),

  /**
   * Stops a token working at once. Its row stays, for the audit log and the list. A request
   * cannot revoke the token it is sent with: a script would lock itself out half-way through
   * (revoke it from another token or the browser).
   */
  revoke: viewerProcedure.input(z.object({ tokenId })).mutation(async ({ ctx, input }) => {
    const row = await ctx.db.apiToken.findUnique({ where: { id: input.tokenId } });
    if (!row || (row.userId !== ctx.principal.userId && ctx.principal.role !== "admin")) {
      throw notFound(`token ${input.tokenId} not found`);
    }
    if (ctx.principal.tokenId === row.id) {
      throw new TRPCError({
        code: "CONFLICT",
        message: "this request is sent with that token: revoke it with another token or from the browser",
      });
    }
    const updated = await ctx.db.apiToken.update({
      where: { id: row.id },
      data: { revokedAt: row.revokedAt ?? new Date() },
      include: { user: { select: { email: true } } },
    });
    return toView(updated);
  }),
});
