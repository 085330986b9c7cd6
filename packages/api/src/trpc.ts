// tRPC setup shared by every router: the context, the error shape and the base procedure.
import { initTRPC } from "@trpc/server";
import type { Db } from "@weir/db";
import { problemsOf, toTRPCError } from "./errors";

export interface Context {
  db: Db;
  /** How long a call to an engine (functions.trigger) may take; 30 s unless set (tests shorten it). */
  engineTimeoutMs?: number;
}

/** The web app builds one per request from its process-wide client; tests pass their own. */
export function createContext(opts: { db: Db }): Context {
  return { db: opts.db };
}

// No transformer: plain JSON on the wire, so curl and scripts can call every procedure.
const t = initTRPC.context<Context>().create({
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    data: { ...shape.data, problems: problemsOf(error.cause) },
  }),
});

const errorBoundary = t.middleware(async ({ next }) => {
  const result = await next();
  return result.ok ? result : { ...result, error: toTRPCError(result.error) };
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorBoundary);
