import { Buffer } from "node:buffer";
import { z } from "zod";
import { notFound } from "../errors";
import { sealedSecretValue } from "../sealing";
import { cursors, pageInput } from "../pagination";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "../trpc";
import { loadUsage } from "../usage";
import { iso } from "../views";

/** The names function nodes list in `config.secrets` and read as `ctx.secrets.NAME`. */
const secretName = z
  .string()
  .max(256, "must be at most 256 characters")
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a secret name is letters, digits and '_', not starting with a digit");

const MAX_VALUE_BYTES = 64 * 1024;

// Messages must never echo the value: zod's own would not, and these say only what is wrong.
const secretValue = z.string().refine((value) => Buffer.byteLength(value, "utf8") <= MAX_VALUE_BYTES, {
  message: `must be at most ${MAX_VALUE_BYTES} bytes (UTF-8)`,
});

// Only these columns are ever read: a value cannot leak through a response it was never loaded for.
const metadata = { name: true, createdAt: true, updatedAt: true } as const;

function toView(row: { name: string; createdAt: Date; updatedAt: Date }) {
  return { name: row.name, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

/**
 * Named secrets for function nodes. Values are write-only through the API: set stores one,
 * nothing returns one; the engine resolves a deployment's secrets when it starts it.
 */
export const secretsRouter = createTRPCRouter({
  /** Creates the secret or replaces its value. */
  set: adminProcedure
    .input(z.object({ name: secretName, value: secretValue }))
    .mutation(async ({ ctx, input }) => {
      // Only the sealed value reaches the database (packages/db secret-box.ts).
      const sealed = sealedSecretValue(ctx.db, input.name, input.value);
      const row = await ctx.db.secret.upsert({
        where: { name: input.name },
        create: { name: input.name, ...sealed },
        update: sealed,
        select: metadata,
      });
      return toView(row);
    }),

  /** Every secret's name and dates, by name, with the flows that read it; never a value. */
  list: viewerProcedure.input(pageInput(cursors.name)).query(async ({ ctx, input }) => {
    const [rows, usage] = await Promise.all([
      ctx.db.secret.findMany({
        where: input.cursor === undefined ? {} : { name: { gt: input.cursor } },
        orderBy: { name: "asc" },
        take: input.limit,
        select: metadata,
      }),
      loadUsage(ctx.db),
    ]);
    return rows.map((row) => ({ ...toView(row), flows: usage.secrets.get(row.name) ?? [] }));
  }),

  delete: adminProcedure.input(z.object({ name: secretName })).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.secret.deleteMany({ where: { name: input.name } });
    if (count === 0) throw notFound(`secret ${input.name} not found`);
    return { name: input.name };
  }),
});
