// tRPC setup shared by every router: the context, the error shape and the base procedure.
import { initTRPC } from "@trpc/server";
import type { Db } from "@weir/db";
import { LIMITS, checkJsonValue } from "@weir/domain";
import { InputError, problemsOf, toTRPCError } from "./errors";

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
  // No stack in any answer (tRPC adds one outside production): the server logs it instead.
  errorFormatter: ({ shape, error }) => {
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, data: { ...data, problems: problemsOf(error.cause) } };
  },
});

const errorBoundary = t.middleware(async ({ next }) => {
  const result = await next();
  return result.ok ? result : { ...result, error: toTRPCError(result.error) };
});

/**
 * Runs before any procedure's input parser: the raw input, however nested, is walked once
 * without recursion, and text Postgres cannot store (NUL, lone surrogates), keys over the key
 * limit and nesting over the depth limit are refused with their paths.
 */
const inputGuard = t.middleware(async ({ getRawInput, next }) => {
  const raw = await getRawInput();
  const { problems } = checkJsonValue(raw, { maxDepth: LIMITS.inputDepth });
  if (problems.length > 0) throw new InputError(problems);
  return next();
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorBoundary).use(inputGuard);

// The role each procedure needs (issue 13). Gates are attached where authentication lands; every
// procedure already names the least role that may call it so the matrix test can cover them all.
export const viewerProcedure = publicProcedure;
export const editorProcedure = publicProcedure;
export const adminProcedure = publicProcedure;
