// Who API tests call as. Most tests are about what a procedure does, not who may call it, and run
// as an admin; the authorization matrix (src/authorization.integration.test.ts) covers the roles.
import type { Authentication, Principal } from "@weir/auth";

export const testAdmin: Principal = {
  userId: "test-admin",
  email: "admin@test.invalid",
  role: "admin",
  // As a script's token: requests built by tests carry no Origin, which a session would need.
  via: "token",
  tokenId: "test-admin-token",
};

/** What the HTTP handlers' `authenticate` option returns for a test that calls as the admin. */
export const asTestAdmin = (): Promise<Authentication> => Promise.resolve({ principal: testAdmin });
