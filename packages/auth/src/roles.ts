// Weir's three roles, least to most. A role may do everything the roles before it may.
export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `held` is at least `needed`. */
export function roleAtLeast(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** The lower of two roles: a token never acts above the user who owns it, whatever it was given. */
export function lowerRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

/** Who is calling: a signed-in person (session cookie) or an API token acting for its owner. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  via: "session" | "token";
  /** Set when `via` is "token". */
  tokenId?: string;
}
