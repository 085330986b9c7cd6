// tRPC setup shared by every router: the context, the error shape and the base procedure.
import { TRPCError, initTRPC } from "@trpc/server";
import { roleAtLeast } from "@weir/auth";
import type { Principal, Role, WeirAuth } from "@weir/auth";
import type { Db } from "@weir/db";
import { LIMITS, checkJsonValue } from "@weir/domain";
import { auditMutation } from "./audit";
import { InputError, problemsOf, toTRPCError } from "./errors";

export interface Context {
  db: Db;
  /** Who is calling; null when the request carried no session and no valid token. */
  principal: Principal | null;
  /** Why a presented token was refused ("revoked", "expired", …), for the 401's message. */
  authRefusal?: string;
  /** The accounts service, for the procedures that create users or first-run setup. */
  auth?: WeirAuth;
  /** How long a call to an engine (functions.trigger) may take; 30 s unless set (tests shorten it). */
  engineTimeoutMs?: number;
}

export interface ContextOptions {
  db: Db;
  principal?: Principal | null;
  authRefusal?: string;
  auth?: WeirAuth;
}

/** The web app builds one per request from its process-wide client; tests pass their own. */
export function createContext(opts: ContextOptions): Context {
  const context: Context = { db: opts.db, principal: opts.principal ?? null };
  if (opts.authRefusal !== undefined) context.authRefusal = opts.authRefusal;
  if (opts.auth !== undefined) context.auth = opts.auth;
  return context;
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

const ARTICLE: Record<Role, string> = { viewer: "a viewer", editor: "an editor", admin: "an admin" };

/**
 * The role gate, before the procedure's input is parsed: anonymous callers get 401, callers below
 * the role 403, each with a sentence saying what is missing. Mutations that pass are audited.
 */
function requireRole(role: Role) {
  return t.middleware(async ({ ctx, next, path, type, getRawInput }) => {
    const principal = ctx.principal;
    if (!principal) {
      const why = ctx.authRefusal ? `the API token is ${ctx.authRefusal}` : "not signed in";
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: `${why}: sign in, or send an API token as 'Authorization: Bearer <token>'`,
      });
    }
    if (!roleAtLeast(principal.role, role)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `${path} needs the ${role} role; ${principal.email} is ${ARTICLE[principal.role]}`,
      });
    }
    const result = await next({ ctx: { ...ctx, principal } });
    if (type === "mutation") await auditMutation(ctx.db, principal, path, await getRawInput(), result.ok);
    return result;
  });
}

/** Reads: flows, versions, deployments, stats, logs, dead letters, secret and profile names. */
export const viewerProcedure = publicProcedure.use(requireRole("viewer"));
/** Changes to flows, deploy/stop/rollback, trigger, replay, artifacts. */
export const editorProcedure = publicProcedure.use(requireRole("editor"));
/** Users, tokens of others, secrets, connection profiles, the audit log. */
export const adminProcedure = publicProcedure.use(requireRole("admin"));
