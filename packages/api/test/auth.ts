// The accounts service on a test database, as the web app makes it (the secret only signs cookies).
import { createAuth } from "@weir/auth";
import type { WeirAuth } from "@weir/auth";
import type { Db } from "@weir/db";

export const TEST_BASE_URL = "http://localhost:3000";

const made = new WeakMap<Db, WeirAuth>();

/** One per database, like the web app's one per process. */
export function testAuth(db: Db, options: { signInPerMinute?: number } = {}): WeirAuth {
  let auth = made.get(db);
  if (!auth) {
    auth = createAuth({
      db,
      secret: "test-secret-that-is-long-enough-for-better-auth",
      baseURL: TEST_BASE_URL,
      ...options,
    });
    made.set(db, auth);
  }
  return auth;
}
