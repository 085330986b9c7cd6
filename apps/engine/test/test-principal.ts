import type { Context } from "@weir/api";

/** Engine tests and benchmarks call the API as an admin; who may call what is the API's own tests' concern. */
export const engineTestAdmin: NonNullable<Context["principal"]> = {
  userId: "engine-test-admin",
  email: "engine-test@test.invalid",
  role: "admin",
  via: "session",
};
