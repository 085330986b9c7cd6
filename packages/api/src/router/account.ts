// First-run setup and "who am I". The only procedures anyone may call without signing in.
import { TRPCError } from "@trpc/server";
import { createFirstAdmin, needsSetup } from "@weir/auth";
import { z } from "zod";
import { recordAudit } from "../audit";
import { createTRPCRouter, publicProcedure } from "../trpc";
import { emailField, passwordField } from "./users";

export const accountRouter = createTRPCRouter({
  /** Whether the first admin still has to be created, and who is calling (null when nobody). */
  status: publicProcedure.query(async ({ ctx }) => ({
    needsSetup: await needsSetup(ctx.db),
    principal: ctx.principal
      ? { email: ctx.principal.email, role: ctx.principal.role, via: ctx.principal.via }
      : null,
  })),

  /** Creates the first admin; refused (409) once any user exists. The editor then signs in. */
  setup: publicProcedure
    .input(z.object({ email: emailField, password: passwordField, name: z.string().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.auth) throw new Error("account.setup needs the accounts service in the context");
      const created = await createFirstAdmin(ctx.auth, ctx.db, input);
      if (!created) {
        throw new TRPCError({ code: "CONFLICT", message: "setup is done: an admin exists; sign in instead" });
      }
      await recordAudit(ctx.db, {
        action: "account.setup",
        principal: { userId: created.id, email: created.email },
        target: created.email,
      });
      return { email: created.email, role: "admin" as const };
    }),
});
