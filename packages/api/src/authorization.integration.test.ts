// Issue 13's authorization matrix: every procedure in the router, called over HTTP as the web
// app serves it, by every kind of caller. Refused callers get 401 (nobody, or a token that no
// longer works) or 403 (signed in below the role); allowed callers get past the gate (any status
// but 401/403: with an empty input most then answer 400). A procedure added to the router without
// a row in REQUIRED fails the first test. Everything the test sees is then grepped for a secret's
// value, which must appear nowhere.
import { authenticate, createToken, createUser, roleAtLeast } from "@weir/auth";
import type { Role } from "@weir/auth";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { demoFlow, useTestApi } from "../test/db";
import { TEST_BASE_URL, testAuth } from "../test/auth";
import { handleApiRequest } from "./http-handler";
import { handleRestRequest } from "./rest/handler";
import { appRouter } from "./root";

type Required = "public" | Role;

/** The least role each procedure needs. The closing note of issue 13 lists this table. */
const REQUIRED: Record<string, Required> = {
  "account.status": "public",
  "account.setup": "public",
  "users.list": "admin",
  "users.create": "admin",
  "users.setRole": "admin",
  "users.setDisabled": "admin",
  "tokens.list": "viewer",
  "tokens.create": "viewer",
  "tokens.revoke": "viewer",
  "audit.list": "admin",
  "flow.create": "editor",
  "flow.list": "viewer",
  "flow.get": "viewer",
  "flow.update": "editor",
  "flow.rename": "editor",
  "flow.duplicate": "editor",
  "flow.rollback": "editor",
  "flow.versions": "viewer",
  "flow.delete": "editor",
  "flow.validate": "viewer",
  "flow.portTypes": "viewer",
  "deployment.deploy": "editor",
  "deployment.stop": "editor",
  "deployment.status": "viewer",
  "deployment.list": "viewer",
  "stats.get": "viewer",
  "stats.live": "viewer",
  "peek.edge": "viewer",
  "peek.stop": "viewer",
  "trace.get": "viewer",
  "logs.read": "viewer",
  "logs.function": "viewer",
  "deadLetters.list": "viewer",
  "deadLetters.replay": "editor",
  "engine.list": "viewer",
  "activity.flows": "viewer",
  "nodeTypes.list": "viewer",
  "secrets.set": "admin",
  "secrets.list": "viewer",
  "secrets.delete": "admin",
  "connections.set": "admin",
  "connections.list": "viewer",
  "connections.get": "viewer",
  "connections.delete": "admin",
  "connections.test": "admin",
  "connections.testRegistry": "admin",
  "connections.testDraft": "admin",
  "functions.trigger": "editor",
  "dryRun.run": "editor",
  "ingest.token": "editor",
  "ingest.rotateToken": "editor",
  "state.list": "viewer",
  "state.set": "editor",
  "state.delete": "editor",
  "artifacts.upload": "editor",
  "artifacts.list": "viewer",
  "artifacts.get": "viewer",
};

const t = useTestApi();
const SECRET_VALUE = `never-shown-${Math.random().toString(36).slice(2)}`;
const seen: string[] = [];

interface Caller {
  name: string;
  /** The role it acts with, or null when it must be refused as unauthenticated. */
  role: Role | null;
  headers: Record<string, string>;
}
const callers: Caller[] = [{ name: "anonymous", role: null, headers: {} }];

type Procedures = Record<string, { _def: { type: "query" | "mutation" | "subscription" } }>;
const procedures = appRouter._def.procedures as unknown as Procedures;

function request(path: string, type: string, headers: Record<string, string>): Request {
  const url = `${TEST_BASE_URL}/api/trpc/${path}`;
  if (type === "mutation") {
    return new Request(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: TEST_BASE_URL,
        host: "localhost:3000",
        ...headers,
      },
      body: "{}",
    });
  }
  return new Request(`${url}?input=${encodeURIComponent("{}")}`, {
    headers: {
      host: "localhost:3000",
      ...(type === "subscription" ? { accept: "text/event-stream" } : {}),
      ...headers,
    },
  });
}

/** The status, or for a subscription (always 200 over SSE) the error code its first event carries. */
async function statusOf(res: Response, type: string): Promise<number> {
  if (type !== "subscription") {
    seen.push(await res.text());
    return res.status;
  }
  const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader();
  let text = "";
  const deadline = Date.now() + 3000;
  // The first event is always `connected`; the gate's verdict (an error) or data comes next.
  const decided = () => /data: [^\n]*\n/.test(text.replace(/event: connected\ndata: \{[^\n]*\}\n\n?/, ""));
  while (reader && Date.now() < deadline && !decided()) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<null>((r) =>
        setTimeout(() => {
          r(null);
        }, 500),
      ),
    ]);
    if (!chunk || chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  await reader?.cancel().catch(() => undefined);
  seen.push(text);
  if (/UNAUTHORIZED/.test(text)) return 401;
  if (/FORBIDDEN/.test(text)) return 403;
  return res.status;
}

const consoleLines: string[] = [];

beforeAll(async () => {
  for (const method of ["log", "error", "warn", "info"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map(String).join(" "));
    });
  }
  const auth = testAuth(t.db);
  const made: Partial<Record<Role | "disabled", { id: string; email: string }>> = {};
  for (const role of ["viewer", "editor", "admin"] as const) {
    made[role] = await createUser(auth, {
      email: `${role}@matrix.test`,
      password: `${role} password 1`,
      role,
    });
    const token = await createToken(t.db, {
      name: role,
      role,
      userId: made[role].id,
      createdBy: made[role].id,
    });
    callers.push({ name: `${role} token`, role, headers: { authorization: `Bearer ${token.token}` } });
  }
  // An admin's session cookie, signed in through better-auth's own endpoint.
  const signIn = await auth.handler(
    new Request(`${TEST_BASE_URL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: TEST_BASE_URL },
      body: JSON.stringify({ email: "admin@matrix.test", password: "admin password 1" }),
    }),
  );
  expect(signIn.status).toBe(200);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  callers.push({ name: "admin session", role: "admin", headers: { cookie } });

  const editorId = made.editor?.id ?? "";
  const expired = await createToken(t.db, {
    name: "expired",
    role: "editor",
    userId: editorId,
    createdBy: editorId,
    expiresAt: new Date(Date.now() - 1000),
  });
  const revoked = await createToken(t.db, {
    name: "revoked",
    role: "editor",
    userId: editorId,
    createdBy: editorId,
  });
  await t.db.apiToken.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
  const gone = await createUser(auth, {
    email: "gone@matrix.test",
    password: "gone password 1",
    role: "admin",
  });
  const goneToken = await createToken(t.db, {
    name: "gone",
    role: "admin",
    userId: gone.id,
    createdBy: gone.id,
  });
  await t.db.user.update({ where: { id: gone.id }, data: { banned: true } });
  callers.push(
    { name: "expired token", role: null, headers: { authorization: `Bearer ${expired.token}` } },
    { name: "revoked token", role: null, headers: { authorization: `Bearer ${revoked.token}` } },
    { name: "disabled user's token", role: null, headers: { authorization: `Bearer ${goneToken.token}` } },
    { name: "malformed bearer", role: null, headers: { authorization: "Bearer weir_guess" } },
  );

  await t.api.secrets.set({ name: "MATRIX_SECRET", value: SECRET_VALUE });
  await t.api.flow.create(demoFlow("matrix"));
});

afterAll(() => {
  vi.restoreAllMocks();
});

const handle = (req: Request) =>
  handleApiRequest(req, {
    db: t.db,
    auth: testAuth(t.db),
    authenticate: (r) => authenticate(testAuth(t.db), t.db, r.headers),
    engineTimeoutMs: 500,
  });

describe("authorization matrix", () => {
  it("has a row for every procedure in the router, and none for a procedure that is gone", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(REQUIRED).sort());
  });

  it.each(Object.keys(REQUIRED).filter((p) => REQUIRED[p] !== "public"))("%s", async (path) => {
    const needed = REQUIRED[path] as Role;
    const type = procedures[path]?._def.type ?? "query";
    const outcomes: string[] = [];
    for (const caller of callers) {
      const status = await statusOf(await handle(request(path, type, caller.headers)), type);
      const expected = caller.role === null ? 401 : roleAtLeast(caller.role, needed) ? "allowed" : 403;
      const got = status === 401 || status === 403 ? status : "allowed";
      outcomes.push(`${caller.name}: ${String(got)}`);
      expect(got, `${path} as ${caller.name} (status ${status}); so far ${outcomes.join(", ")}`).toBe(
        expected,
      );
    }
  });

  it("lets anyone ask for the setup status, and allows setup only while nobody can sign in", async () => {
    const status = await handle(request("account.status", "query", {}));
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ result: { data: { needsSetup: false, principal: null } } });
    const setup = await handle(
      new Request(`${TEST_BASE_URL}/api/trpc/account.setup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "intruder@matrix.test", password: "intruder password" }),
      }),
    );
    expect(setup.status).toBe(409);
    expect(await t.db.user.count({ where: { email: "intruder@matrix.test" } })).toBe(0);
  });

  it("refuses a change sent with the session cookie from another site (CSRF), on tRPC and REST", async () => {
    const cookie = callers.find((c) => c.name === "admin session")?.headers.cookie ?? "";
    const before = await t.db.flow.count();
    for (const origin of ["https://evil.example", null]) {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        cookie,
        host: "localhost:3000",
      };
      if (origin) headers.origin = origin;
      const body = JSON.stringify(demoFlow("csrf"));
      const trpc = await handle(
        new Request(`${TEST_BASE_URL}/api/trpc/flow.create`, { method: "POST", headers, body }),
      );
      expect(trpc.status).toBe(403);
      const rest = await handleRestRequest(
        new Request(`${TEST_BASE_URL}/api/v1/flows`, { method: "POST", headers, body }),
        {
          db: t.db,
          authenticate: (r) => authenticate(testAuth(t.db), t.db, r.headers),
        },
      );
      expect(rest.status).toBe(403);
    }
    expect(await t.db.flow.count()).toBe(before);
    // The same request from the editor's own origin goes through.
    const own = await handle(
      new Request(`${TEST_BASE_URL}/api/trpc/flow.create`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie,
          origin: TEST_BASE_URL,
          host: "localhost:3000",
        },
        body: JSON.stringify(demoFlow("same origin")),
      }),
    );
    expect(own.status).toBe(200);
  });

  it("gives REST callers the same answers: 401 without a token, 403 below the role", async () => {
    const rest = (headers: Record<string, string>) =>
      handleRestRequest(new Request(`${TEST_BASE_URL}/api/v1/secrets/X`, { method: "DELETE", headers }), {
        db: t.db,
        authenticate: (r) => authenticate(testAuth(t.db), t.db, r.headers),
      });
    expect((await rest({})).status).toBe(401);
    const viewer = callers.find((c) => c.name === "viewer token")?.headers ?? {};
    expect((await rest(viewer)).status).toBe(403);
  });

  it("audits changes with who made them, and token use", async () => {
    const events = await t.db.auditEvent.findMany();
    expect(events.some((e) => e.action === "flow.create" && e.email === "admin@matrix.test")).toBe(true);
    expect(events.some((e) => e.action === "auth.token-use")).toBe(true);
    expect(events.some((e) => e.action === "secrets.set" && e.target === "MATRIX_SECRET")).toBe(true);
  });

  it("never shows a secret's value: not in a response, log line, audit entry, flow version or the table", async () => {
    const audit = JSON.stringify(await t.db.auditEvent.findMany(), (_k, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    const versions = JSON.stringify(await t.db.flowVersion.findMany());
    const everything = [...seen, ...consoleLines, audit, versions].join("\n");
    expect(seen.length).toBeGreaterThan(100);
    expect(everything).not.toContain(SECRET_VALUE);
    const rows = await t.db.$queryRawUnsafe<Record<string, unknown>[]>("SELECT * FROM secrets");
    expect(JSON.stringify(rows)).not.toContain(SECRET_VALUE);
  });
});
