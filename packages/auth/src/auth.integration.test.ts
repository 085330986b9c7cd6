// better-auth on the real database: first-run setup, sign-in through its HTTP handler with the
// cookie it sets, the wrong-password message, the rate limit, disabling, and Weir's API tokens.
import { useTestDatabase } from "@weir/testkit/test-database";
import { beforeAll, describe, expect, it } from "vitest";
import { createAuth } from "./auth";
import type { WeirAuth } from "./auth";
import { authenticate } from "./principal";
import { createToken, hashToken, mayGrant } from "./tokens";
import { createFirstAdmin, createUser, needsSetup } from "./users";

const database = useTestDatabase("weir_auth_test");
const BASE = "http://localhost:3999";
let auth: WeirAuth;
const signIns: string[] = [];

beforeAll(() => {
  auth = createAuth({
    db: database.db,
    secret: "a-test-secret-that-is-long-enough-0123456789",
    baseURL: BASE,
    signInPerMinute: 4,
    onSignIn: (user) => {
      signIns.push(user.email);
    },
  });
});

function signIn(email: string, password: string, ip = "10.0.0.1"): Promise<Response> {
  return auth.handler(
    new Request(`${BASE}/api/auth/sign-in/email`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: BASE,
        host: "localhost:3999",
        "x-forwarded-for": ip,
      },
      body: JSON.stringify({ email, password }),
    }),
  );
}

function cookieOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("accounts", () => {
  it("has no user until the first admin is created, and creates only one", async () => {
    expect(await needsSetup(database.db)).toBe(true);
    const [a, b] = await Promise.all([
      createFirstAdmin(auth, database.db, { email: "Admin@Example.com", password: "correct horse battery" }),
      createFirstAdmin(auth, database.db, { email: "other@example.com", password: "correct horse battery" }),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await needsSetup(database.db)).toBe(false);
    const admins = await database.db.user.findMany();
    expect(admins).toHaveLength(1);
    expect(admins[0]?.role).toBe("admin");
  });

  it("signs in with an httpOnly SameSite cookie that authenticates, and audits the sign-in", async () => {
    const email = (await database.db.user.findFirstOrThrow()).email;
    const response = await signIn(email, "correct horse battery");
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const who = await authenticate(auth, database.db, new Headers({ cookie: cookieOf(response) }));
    expect(who.principal).toMatchObject({ email, role: "admin", via: "session" });
    expect(signIns).toContain(email);
  });

  it("issues a fresh session at sign-in: a session id planted beforehand is neither kept nor honoured", async () => {
    const email = (await database.db.user.findFirstOrThrow({ where: { role: "admin" } })).email;
    const planted = "weir.session_token=attacker-chosen-value";
    const response = await auth.handler(
      new Request(`${BASE}/api/auth/sign-in/email`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: BASE,
          cookie: planted,
          "x-forwarded-for": "10.0.0.4",
        },
        body: JSON.stringify({ email, password: "correct horse battery" }),
      }),
    );
    expect(response.status).toBe(200);
    const issued = cookieOf(response);
    expect(issued).toMatch(/weir\.session_token=/);
    expect(issued).not.toContain("attacker-chosen-value");
    expect((await authenticate(auth, database.db, new Headers({ cookie: planted }))).principal).toBeNull();
    // Signing out ends the session for good: the same cookie no longer authenticates.
    const out = await auth.handler(
      new Request(`${BASE}/api/auth/sign-out`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE, cookie: issued },
        body: "{}",
      }),
    );
    expect(out.status).toBe(200);
    expect((await authenticate(auth, database.db, new Headers({ cookie: issued }))).principal).toBeNull();
  });

  it("refuses a sign-in posted from another site's page (login CSRF), by fetch or by form", async () => {
    const email = (await database.db.user.findFirstOrThrow({ where: { role: "admin" } })).email;
    for (const headers of [
      { "content-type": "application/json", origin: "https://evil.example" },
      {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "sec-fetch-mode": "navigate",
        "sec-fetch-dest": "document",
      },
    ]) {
      const form = headers["content-type"].includes("form");
      const response = await auth.handler(
        new Request(`${BASE}/api/auth/sign-in/email`, {
          method: "POST",
          headers: { ...headers, "x-forwarded-for": "10.0.0.5" },
          body: form
            ? `email=${encodeURIComponent(email)}&password=correct+horse+battery`
            : JSON.stringify({ email, password: "correct horse battery" }),
        }),
      );
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it("says clearly that the email or password is wrong, the same for an unknown email", async () => {
    const wrong = await signIn("admin@example.com", "not the password", "10.0.0.2");
    const unknown = await signIn("nobody@example.com", "not the password", "10.0.0.2");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const a = (await wrong.json()) as { message: string };
    const b = (await unknown.json()) as { message: string };
    expect(a.message).toMatch(/invalid email or password/i);
    expect(b.message).toBe(a.message);
  });

  it("treats SQL in the login fields as text", async () => {
    const response = await signIn("' OR 1=1 --@example.com", "' OR '1'='1", "10.0.0.3");
    expect([400, 401]).toContain(response.status);
    expect(await database.db.user.count()).toBe(1);
  });

  it("rate-limits sign-in attempts from one address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await signIn("admin@example.com", `guess ${i}`, "10.0.0.9")).status);
    expect(statuses.slice(0, 4).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429]);
    // Another address is not affected.
    expect((await signIn("admin@example.com", "correct horse battery", "10.0.0.10")).status).toBe(200);
  });

  it("refuses a disabled user's sign-in and sessions", async () => {
    const user = await createUser(auth, {
      email: "ed@example.com",
      password: "editor password 1",
      role: "editor",
    });
    const response = await signIn("ed@example.com", "editor password 1", "10.0.1.1");
    expect(response.status).toBe(200);
    const cookie = cookieOf(response);
    await database.db.user.update({ where: { id: user.id }, data: { banned: true } });
    expect((await authenticate(auth, database.db, new Headers({ cookie }))).principal).toBeNull();
    const again = await signIn("ed@example.com", "editor password 1", "10.0.1.1");
    expect(again.status).toBe(403);
    expect(((await again.json()) as { message: string }).message).toMatch(/disabled/);
    await database.db.user.update({ where: { id: user.id }, data: { banned: false } });
  });
});

describe("API tokens", () => {
  it("authenticates by bearer, stores only a hash, and caps the role at the owner's", async () => {
    const owner = await createUser(auth, {
      email: "tok@example.com",
      password: "token owner pw",
      role: "editor",
    });
    const made = await createToken(database.db, {
      name: "ci",
      role: "editor",
      userId: owner.id,
      createdBy: owner.id,
    });
    const row = await database.db.apiToken.findUniqueOrThrow({ where: { id: made.id } });
    expect(JSON.stringify(row)).not.toContain(made.token);
    expect(row.hash).toBe(hashToken(made.token));
    const headers = new Headers({ authorization: `Bearer ${made.token}` });
    const who = await authenticate(auth, database.db, headers);
    expect(who.principal).toMatchObject({ userId: owner.id, role: "editor", via: "token", tokenId: made.id });
    expect(
      (await database.db.apiToken.findUniqueOrThrow({ where: { id: made.id } })).lastUsedAt,
    ).not.toBeNull();
    // The owner is demoted: the token acts as a viewer from then on.
    await database.db.user.update({ where: { id: owner.id }, data: { role: "viewer" } });
    expect((await authenticate(auth, database.db, headers)).principal?.role).toBe("viewer");
  });

  it("refuses unknown, revoked, expired and disabled-owner tokens with the reason", async () => {
    const owner = await createUser(auth, {
      email: "t2@example.com",
      password: "token owner pw",
      role: "viewer",
    });
    const base = { role: "viewer" as const, userId: owner.id, createdBy: owner.id };
    const revoked = await createToken(database.db, { ...base, name: "revoked" });
    await database.db.apiToken.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const expired = await createToken(database.db, {
      ...base,
      name: "old",
      expiresAt: new Date(Date.now() - 1000),
    });
    const check = async (token: string) =>
      authenticate(auth, database.db, new Headers({ authorization: `Bearer ${token}` }));
    expect(await check("weir_" + "x".repeat(43))).toEqual({ principal: null, refused: "unknown" });
    expect(await check("not-a-token")).toEqual({ principal: null, refused: "unknown" });
    expect(await check(revoked.token)).toEqual({ principal: null, refused: "revoked" });
    expect(await check(expired.token)).toEqual({ principal: null, refused: "expired" });
    const live = await createToken(database.db, { ...base, name: "live" });
    await database.db.user.update({ where: { id: owner.id }, data: { banned: true } });
    expect(await check(live.token)).toEqual({ principal: null, refused: "owner disabled" });
  });

  it("never grants a token above its creator or owner", () => {
    const editor = { userId: "e", email: "e@x", role: "editor" as const, via: "session" as const };
    const adminP = { ...editor, userId: "a", role: "admin" as const };
    expect(mayGrant(editor, "editor", "e", "editor")).toBeNull();
    expect(mayGrant(editor, "editor", "e", "admin")).toMatch(/higher role/);
    expect(mayGrant(editor, "viewer", "v", "viewer")).toMatch(/only an admin/);
    expect(mayGrant(adminP, "viewer", "v", "editor")).toMatch(/owner/);
    expect(mayGrant(adminP, "editor", "v", "editor")).toBeNull();
  });
});
