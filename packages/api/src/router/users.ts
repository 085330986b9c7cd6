// Accounts, for admins: create (no self sign-up anywhere), change role, disable and enable.
import { TRPCError } from "@trpc/server";
import { MIN_PASSWORD_LENGTH, ROLES, createUser } from "@weir/auth";
import { z } from "zod";
import { notFound } from "../errors";
import { cursors, pageInput } from "../pagination";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { iso } from "../views";

export const emailField = z.string().trim().toLowerCase().max(254).pipe(z.email("must be an email address"));
// The length is better-auth's rule too; checked here so the message names the field.
export const passwordField = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${String(MIN_PASSWORD_LENGTH)} characters`)
  .max(256, "must be at most 256 characters");
const role = z.enum(ROLES);
const userId = z.string().min(1).max(200);

const columns = { id: true, email: true, name: true, role: true, banned: true, createdAt: true } as const;

function toView(row: {
  id: string;
  email: string;
  name: string;
  role: string | null;
  banned: boolean | null;
  createdAt: Date;
}) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role ?? "viewer",
    disabled: row.banned === true,
    createdAt: iso(row.createdAt),
  };
}

export const usersRouter = createTRPCRouter({
  /** By email; a page starts after the cursor's email. */
  list: adminProcedure.input(pageInput(cursors.name)).query(async ({ ctx, input }) => {
    const rows = await ctx.db.user.findMany({
      where: input.cursor === undefined ? {} : { email: { gt: input.cursor } },
      orderBy: { email: "asc" },
      take: input.limit,
      select: columns,
    });
    return rows.map(toView);
  }),

  create: adminProcedure
    .input(
      z.object({ email: emailField, password: passwordField, name: z.string().max(200).optional(), role }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!ctx.auth) throw new Error("users.create needs the accounts service in the context");
      if (await ctx.db.user.findUnique({ where: { email: input.email } })) {
        throw new TRPCError({ code: "CONFLICT", message: `a user with the email ${input.email} exists` });
      }
      const created = await createUser(ctx.auth, input);
      return toView(await ctx.db.user.findUniqueOrThrow({ where: { id: created.id }, select: columns }));
    }),

  setRole: adminProcedure.input(z.object({ userId, role })).mutation(async ({ ctx, input }) => {
    if (input.userId === ctx.principal.userId && input.role !== "admin") {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "an admin cannot lower their own role (ask another admin)",
      });
    }
    const { count } = await ctx.db.user.updateMany({
      where: { id: input.userId },
      data: { role: input.role },
    });
    if (count === 0) throw notFound(`user ${input.userId} not found`);
    return toView(await ctx.db.user.findUniqueOrThrow({ where: { id: input.userId }, select: columns }));
  }),

  /** A disabled user cannot sign in; their sessions end and their tokens stop working at once. */
  setDisabled: adminProcedure
    .input(z.object({ userId, disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      if (input.userId === ctx.principal.userId && input.disabled) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "an admin cannot disable their own account" });
      }
      const { count } = await ctx.db.user.updateMany({
        where: { id: input.userId },
        data: { banned: input.disabled },
      });
      if (count === 0) throw notFound(`user ${input.userId} not found`);
      if (input.disabled) await ctx.db.session.deleteMany({ where: { userId: input.userId } });
      return toView(await ctx.db.user.findUniqueOrThrow({ where: { id: input.userId }, select: columns }));
    }),
});
