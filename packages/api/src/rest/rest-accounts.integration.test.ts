// Accounts, API tokens and the audit log over /api/v1, as a script would manage them with curl:
// an admin creates a user and a token for them, the token authenticates, lists page, a request
// cannot revoke the token it is sent with, and every change lands in the audit log.
import { authenticate } from "@weir/auth";
import { describe, expect, it } from "vitest";
import { testAuth } from "../../test/auth";
import { useTestApi } from "../../test/db";
import { asTestAdmin } from "../../test/principals";
import { handleRestRequest } from "./handler";
import { responseOf } from "./responses";
import { REST_ROUTES } from "./routes";

const t = useTestApi();

interface Answer {
  status: number;
  json: unknown;
}

/** As the test admin, or with a bearer token checked by the real accounts service. */
async function rest(method: string, path: string, body?: unknown, bearer?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  const auth = testAuth(t.db);
  const res = await handleRestRequest(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    {
      authenticate: bearer === undefined ? asTestAdmin : (req) => authenticate(auth, t.db, req.headers),
      db: t.db,
      auth,
      limits: { maxBodyBytes: 64 * 1024 },
    },
  );
  const text = await res.text();
  return { status: res.status, json: text === "" ? null : (JSON.parse(text) as unknown) };
}

function documented(method: string, path: string, answer: Answer): void {
  const route = REST_ROUTES.find((r) => r.method === method && r.path === path);
  const schema = route && responseOf(route);
  if (!schema) throw new Error(`no documented response for ${method} ${path}`);
  expect(schema.parse(answer.json)).toEqual(answer.json);
}

const errorOf = (answer: Answer) => (answer.json as { error: { code: string; message: string } }).error;

describe("REST accounts, tokens and audit", () => {
  it("creates a user and a token for them; the token works until revoked", async () => {
    const created = await rest("POST", "/users", {
      email: "Ada@Example.com",
      password: "correct horse battery",
      role: "editor",
    });
    expect(created.status).toBe(201);
    documented("POST", "/users", created);
    const user = created.json as { id: string; email: string; role: string };
    expect(user).toMatchObject({ email: "ada@example.com", role: "editor", disabled: false });

    const again = await rest("POST", "/users", {
      email: "ada@example.com",
      password: "0123456789",
      role: "viewer",
    });
    expect(again.status).toBe(409);
    const short = await rest("POST", "/users", {
      email: "bob@example.com",
      password: "short",
      role: "viewer",
    });
    expect(short.status).toBe(400);

    const made = await rest("POST", "/tokens", {
      name: "ci",
      role: "editor",
      userId: user.id,
      expiresInDays: 30,
    });
    expect(made.status).toBe(201);
    documented("POST", "/tokens", made);
    const token = made.json as { id: string; token: string };
    expect(token.token).toMatch(/^weir_/);

    const me = await rest("GET", "/account", undefined, token.token);
    expect(me.status).toBe(200);
    documented("GET", "/account", me);
    expect(me.json).toMatchObject({ principal: { email: "ada@example.com", role: "editor", via: "token" } });

    // An editor token may not manage accounts.
    const forbidden = await rest("GET", "/users", undefined, token.token);
    expect(forbidden.status).toBe(403);

    const own = await rest("GET", "/tokens", undefined, token.token);
    documented("GET", "/tokens", own);
    expect((own.json as { items: { id: string; owner: string }[] }).items).toEqual([
      expect.objectContaining({ id: token.id, owner: "ada@example.com" }),
    ]);
    // The token is never listed with its value.
    expect(JSON.stringify(own.json)).not.toContain(token.token);

    const itself = await rest("DELETE", `/tokens/${token.id}`, undefined, token.token);
    expect(itself.status).toBe(409);
    expect(errorOf(itself).message).toContain("sent with that token");

    const revoked = await rest("DELETE", `/tokens/${token.id}`);
    expect(revoked.status).toBe(204);
    const after = await rest("GET", "/tokens", undefined, token.token);
    expect(after.status).toBe(401);
    const unknown = await rest("DELETE", "/tokens/00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
  });

  it("changes roles and disables accounts, refusing bad values with their path", async () => {
    const created = await rest("POST", "/users", {
      email: "cy@example.com",
      password: "0123456789",
      role: "viewer",
    });
    const id = (created.json as { id: string }).id;

    const promoted = await rest("PUT", `/users/${id}/role`, { role: "admin" });
    expect(promoted.status).toBe(200);
    documented("PUT", "/users/{userId}/role", promoted);
    expect(promoted.json).toMatchObject({ id, role: "admin" });

    const badRole = await rest("PUT", `/users/${id}/role`, { role: "owner" });
    expect(badRole.status).toBe(400);
    expect(JSON.stringify(badRole.json)).toContain('"pathString":"role"');

    const disabled = await rest("PUT", `/users/${id}/disabled`, { disabled: true });
    expect(disabled.status).toBe(200);
    documented("PUT", "/users/{userId}/disabled", disabled);
    expect(disabled.json).toMatchObject({ id, disabled: true });

    const missing = await rest("PUT", "/users/nobody/role", { role: "viewer" });
    expect(missing.status).toBe(404);
  });

  it("pages users and tokens by cursor, each once, and reads the audit log newest first", async () => {
    const since = new Date().toISOString();
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      const made = await rest("POST", "/users", {
        email: `page${n}@example.com`,
        password: "0123456789",
        role: "viewer",
      });
      ids.push((made.json as { id: string }).id);
    }
    const owner = ids[0] ?? "";
    for (const n of [1, 2, 3])
      await rest("POST", "/tokens", { name: `t${n}`, role: "viewer", userId: owner });

    async function all(path: string, key: string): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
        const page = await rest("GET", `${path}${path.includes("?") ? "&" : "?"}limit=2${query}`);
        expect(page.status).toBe(200);
        const body = page.json as { items: Record<string, string>[]; nextCursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((item) => item[key] ?? ""));
        cursor = body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 20);
      expect(cursor).toBeNull();
      return seen;
    }

    const emails = await all("/users", "email");
    expect(emails).toEqual([...emails].sort());
    expect(emails).toEqual(expect.arrayContaining(["page1@example.com", "page5@example.com"]));
    expect(new Set(emails).size).toBe(emails.length);
    const tokens = await all("/tokens?all=true", "name");
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens.filter((name) => /^t\d$/.test(name))).toEqual(["t3", "t2", "t1"]);

    const audit = await rest("GET", `/audit-events?action=tokens.create&from=${since}&limit=2`);
    documented("GET", "/audit-events", audit);
    const page = audit.json as { items: { id: string; action: string }[]; nextCursor: string | null };
    expect(page.items.map((e) => e.action)).toEqual(["tokens.create", "tokens.create"]);
    expect(Number(page.items[0]?.id)).toBeGreaterThan(Number(page.items[1]?.id));
    expect(page.nextCursor).toBe(page.items[1]?.id);
    const next = await rest(
      "GET",
      `/audit-events?action=tokens.create&from=${since}&limit=2&cursor=${page.nextCursor ?? ""}`,
    );
    expect((next.json as { items: unknown[] }).items).toHaveLength(1);
    const badTime = await rest("GET", "/audit-events?from=yesterday");
    expect(badTime.status).toBe(400);
  });
});
