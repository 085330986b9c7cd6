// Creating accounts. Nobody signs up: the first admin comes from the setup page (or WEIR_ADMIN_*
// for headless installs) while no user exists; every other account is created by an admin.
import type { Db } from "@weir/db";
import type { WeirAuth } from "./auth";
import type { Role } from "./roles";

export interface NewUser {
  email: string;
  password: string;
  name?: string;
  role: Role;
}

// Counted by password accounts, not users: the local service account of `npm start` (tokens only,
// no password) does not make setup done.
const signInAccounts = { where: { providerId: "credential" } } as const;

export async function needsSetup(db: Db): Promise<boolean> {
  return (await db.account.count(signInAccounts)) === 0;
}

export async function createUser(auth: WeirAuth, user: NewUser): Promise<{ id: string; email: string }> {
  const created = await auth.api.createUser({
    body: {
      email: user.email.trim().toLowerCase(),
      password: user.password,
      name: user.name?.trim() || user.email.trim(),
      role: user.role,
    },
  });
  return { id: created.user.id, email: created.user.email };
}

// Any fixed number: two setups racing take the same transaction lock, so only one admin is made.
const SETUP_LOCK = 7_301_337;

/** Creates the first admin, or returns null when a user already exists (setup is done). */
export async function createFirstAdmin(
  auth: WeirAuth,
  db: Db,
  user: Omit<NewUser, "role">,
): Promise<{ id: string; email: string } | null> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
      if ((await tx.account.count(signInAccounts)) > 0) return null;
      return createUser(auth, { ...user, role: "admin" });
    },
    { timeout: 30_000 },
  );
}
