// The accounts service for this web process (one per process, like the database client), and
// `authenticate` for the API routes: a bearer token first, else the session cookie.
import { authenticate as authenticateWith, createAuth, createFirstAdmin, needsSetup } from "@weir/auth";
import type { Authentication, WeirAuth } from "@weir/auth";
import { databaseConfigured, isBuildPhase } from "~/env";
import { getDb } from "~/server/db";

const globalForAuth = globalThis as typeof globalThis & { weirAuth?: WeirAuth };

function authSecret(): string {
  const secret = process.env.WEIR_AUTH_SECRET?.trim() ?? "";
  if (secret.length < 32) {
    throw new Error(
      "WEIR_AUTH_SECRET must be set to at least 32 random characters (it signs session cookies); " +
        "`npm start` makes one in its data directory, compose reads it from .env",
    );
  }
  return secret;
}

function signInPerMinute(): number {
  const raw = Number(process.env.WEIR_SIGNIN_PER_MINUTE ?? "10");
  return Number.isSafeInteger(raw) && raw > 0 ? raw : 10;
}

export function getAuth(): WeirAuth {
  globalForAuth.weirAuth ??= createAuth({
    db: getDb(),
    secret: authSecret(),
    baseURL: process.env.WEIR_PUBLIC_URL?.trim() || `http://localhost:${process.env.PORT ?? "3000"}`,
    signInPerMinute: signInPerMinute(),
    onSignIn: async (user) => {
      const { recordSignIn } = await import("@weir/api");
      await recordSignIn(getDb(), user);
    },
  });
  return globalForAuth.weirAuth;
}

export function authenticate(req: Request): Promise<Authentication> {
  return authenticateWith(getAuth(), getDb(), req.headers);
}

/**
 * Headless installs (the compose stack) name their first admin in WEIR_ADMIN_EMAIL and
 * WEIR_ADMIN_PASSWORD; it is created once, when no one can sign in yet, and never again.
 */
export async function seedAdminFromEnv(): Promise<void> {
  if (isBuildPhase() || !databaseConfigured()) return;
  try {
    getAuth();
  } catch (error) {
    console.error(`weir web: refusing to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const email = process.env.WEIR_ADMIN_EMAIL?.trim();
  const password = process.env.WEIR_ADMIN_PASSWORD ?? "";
  if (!email) return;
  if (password.length < 10) {
    console.error(
      "WEIR_ADMIN_EMAIL is set but WEIR_ADMIN_PASSWORD is shorter than 10 characters: no admin created",
    );
    return;
  }
  if (!(await needsSetup(getDb()))) return;
  const created = await createFirstAdmin(getAuth(), getDb(), { email, password });
  if (created) console.log(`created the first admin from WEIR_ADMIN_EMAIL: ${created.email}`);
}
