// The better-auth instance: email + password accounts, cookie sessions, sign-in rate limiting and
// the admin plugin's roles and disabling (`banned`). Weir's own API tokens live in tokens.ts.
import type { Db } from "@weir/db";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { admin } from "better-auth/plugins/admin";
import { createAccessControl } from "better-auth/plugins/access";
import { adminAc, defaultStatements } from "better-auth/plugins/admin/access";
import { MIN_PASSWORD_LENGTH } from "./passwords";

export interface AuthOptions {
  db: Db;
  /** Signs session cookies: at least 32 random characters (WEIR_AUTH_SECRET). */
  secret: string;
  /** Where people reach the editor, e.g. `https://weir.example.com`; cookies are Secure on https. */
  baseURL: string;
  /** Sign-in attempts allowed per client address per minute. */
  signInPerMinute?: number;
  /** Called after each successful sign-in (for the audit log). */
  onSignIn?: (user: { id: string; email: string }) => void | Promise<void>;
}

const ac = createAccessControl(defaultStatements);
// The admin plugin's own permissions (its user-management endpoints) are for Weir admins only;
// what editors and viewers may do in Weir is decided by Weir's API gates, not by these.
const pluginRoles = {
  admin: adminAc,
  editor: ac.newRole({ user: [], session: [] }),
  viewer: ac.newRole({ user: [], session: [] }),
};

/** The origin a request was addressed to, from its Host header (checked against the allow-list first). */
function ownOrigin(request: Request | undefined, baseURL: string): string[] {
  const host = request?.headers.get("host");
  const proto = new URL(baseURL).protocol;
  return host ? [`${proto}//${host}`] : [];
}

export function createAuth(options: AuthOptions) {
  const secure = options.baseURL.startsWith("https:");
  return betterAuth({
    appName: "Weir",
    baseURL: options.baseURL,
    basePath: "/api/auth",
    secret: options.secret,
    database: prismaAdapter(options.db, { provider: "postgresql" }),
    telemetry: { enabled: false },
    // Mutations through better-auth must come from a page of the same origin (CSRF).
    trustedOrigins: (request) => [options.baseURL, ...ownOrigin(request, options.baseURL)],
    emailAndPassword: {
      enabled: true,
      // Nobody signs themselves up: the first admin comes from the setup page or WEIR_ADMIN_*,
      // everyone else is created by an admin.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: 256,
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    rateLimit: {
      enabled: true,
      storage: "memory",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": { window: 60, max: options.signInPerMinute ?? 10 },
        "/change-password": { window: 60, max: 10 },
      },
    },
    advanced: {
      // Explicit: better-auth turns both checks off by default when NODE_ENV is "test", and the
      // tests must see what production does.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      cookiePrefix: "weir",
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure },
    },
    databaseHooks: {
      session: {
        create: {
          after: async (session) => {
            const user = await options.db.user.findUnique({ where: { id: session.userId } });
            if (user) await options.onSignIn?.({ id: user.id, email: user.email });
          },
        },
      },
    },
    plugins: [
      admin({
        ac,
        roles: pluginRoles,
        defaultRole: "viewer",
        adminRoles: ["admin"],
        bannedUserMessage: "This account is disabled; ask an admin of this Weir to enable it.",
      }),
    ],
  });
}

export type WeirAuth = ReturnType<typeof createAuth>;
