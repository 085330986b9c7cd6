// @weir/auth: accounts, sessions (better-auth) and Weir's API tokens, roles and principals.
export { createAuth, type AuthOptions, type WeirAuth } from "./auth";
export { authenticate, bearerOf, type Authentication } from "./principal";
export { MIN_PASSWORD_LENGTH } from "./passwords";
export { ROLES, isRole, roleAtLeast, lowerRole, type Role, type Principal } from "./roles";
export {
  createToken,
  verifyToken,
  hashToken,
  mayGrant,
  TOKEN_PREFIX,
  type NewToken,
  type TokenRequest,
  type TokenCheck,
  type TokenRefusal,
} from "./tokens";
export { createFirstAdmin, createUser, needsSetup, type NewUser } from "./users";
export {
  dataDirAuthSecret,
  ensureLocalAdminToken,
  AUTH_SECRET_FILE,
  ADMIN_TOKEN_FILE,
  LOCAL_SERVICE_USER,
} from "./local-setup";
