// /api/v1 over HTTP as curl would call it: resource paths, verbs, status codes and the error
// shape, against a real Postgres; and the OpenAPI document, checked against the routes served.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";
import { handleRestRequest } from "./handler";
import { responseOf } from "./responses";
import { REST_ROUTES } from "./routes";
import { asTestAdmin } from "../../test/principals";

const t = useTestApi();

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function rest(
  method: string,
  path: string,
  body?: unknown,
  init: { contentType?: string; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (init.raw !== undefined || body !== undefined) {
    payload = init.raw ?? JSON.stringify(body);
    headers["content-type"] = init.contentType ?? "application/json";
  }
  const res = await handleRestRequest(
    new Request(`http://localhost/api/v1${path}`, { method, headers, body: payload }),
    { authenticate: asTestAdmin, db: t.db, limits: { maxBodyBytes: 64 * 1024 } },
  );
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * The answer is exactly what the OpenAPI document says (its schema is closed: a field the
 * document does not name would be stripped, and the comparison would fail).
 */
function documented(procedure: string, answer: Answer): void {
  const route = REST_ROUTES.find((r) => r.procedure === procedure);
  const schema = route && responseOf(route);
  if (!schema) throw new Error(`no documented response for ${procedure}`);
  expect(schema.parse(answer.json)).toEqual(answer.json);
}

/** A list's items (REST answers a list as `{ items, nextCursor }`). */
const items = <T = unknown>(answer: Answer): T[] => (answer.json as { items: T[] }).items;

type ErrorBody = {
  error: { code: string; message: string; problems: { pathString: string; code: string }[] | null };
};

describe("REST /api/v1", () => {
  it("creates, reads, versions, deploys, stops and deletes a flow with resource paths", async () => {
    const created = await rest("POST", "/flows", demoFlow("rest demo"));
    expect(created.status).toBe(201);
    const { id, version } = created.json as { id: string; version: number };
    expect(version).toBe(1);
    documented("flow.create", created);

    const listed = await rest("GET", "/flows");
    documented("flow.list", listed);
    expect(listed.status).toBe(200);
    expect(items<{ id: string }>(listed).map((f) => f.id)).toContain(id);

    const got = await rest("GET", `/flows/${id}`);
    documented("flow.get", got);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id, name: "rest demo", version: 1, spec: { name: "rest demo" } });

    const spec = { ...demoFlow("rest demo"), description: "changed" };
    const saved = await rest("POST", `/flows/${id}/versions`, { spec, message: "edit" });
    expect(saved.status).toBe(201);
    expect(saved.json).toMatchObject({ id, version: 2 });
    documented("flow.update", saved);

    const v1 = await rest("GET", `/flows/${id}/versions/1`);
    expect(v1.json).toMatchObject({ version: 1, spec: { description: "doubles a counter" } });
    const byQuery = await rest("GET", `/flows/${id}?version=2`);
    expect(byQuery.json).toMatchObject({ version: 2, spec: { description: "changed" } });
    const versions = await rest("GET", `/flows/${id}/versions`);
    documented("flow.versions", versions);
    expect(items<{ version: number }>(versions).map((v) => v.version)).toEqual([2, 1]);

    const noDeployment = await rest("GET", `/flows/${id}/deployment`);
    expect(noDeployment.status).toBe(200);
    expect(noDeployment.json).toBeNull();
    documented("deployment.status", noDeployment);

    const deployed = await rest("POST", `/flows/${id}/deployments`, { version: 1 });
    expect(deployed.status).toBe(201);
    expect(deployed.json).toMatchObject({ version: 1, desiredState: "running" });
    documented("deployment.deploy", deployed);
    const status = await rest("GET", `/flows/${id}/deployment`);
    expect(status.json).toMatchObject({ version: 1, desiredState: "running" });
    documented("deployment.status", status);
    const stopped = await rest("POST", `/flows/${id}/deployment/stop`, {});
    expect(stopped.status).toBe(200);
    expect(stopped.json).toMatchObject({ desiredState: "stopped" });
    documented("deployment.stop", stopped);
    const deployments = await rest("GET", `/flows/${id}/deployments`);
    expect(items(deployments)).toHaveLength(1);
    documented("deployment.list", deployments);

    const stats = await rest("GET", `/flows/${id}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({ nodes: expect.any(Array) as unknown });
    documented("stats.get", stats);
    const records = await rest("GET", `/flows/${id}/nodes/out/records?limit=5`);
    expect(records.status).toBe(200);
    expect(records.json).toEqual({ items: [], nextCursor: null });
    documented("logs.read", records);
    const letters = await rest("GET", `/flows/${id}/dead-letters?status=pending`);
    expect(letters.json).toEqual({ items: [], nextCursor: null });
    documented("deadLetters.list", letters);

    const deleted = await rest("DELETE", `/flows/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    const gone = await rest("GET", `/flows/${id}`);
    expect(gone.status).toBe(404);
    expect((gone.json as ErrorBody).error.code).toBe("NOT_FOUND");
  });

  it("refuses an invalid flow with 400 and every problem's path, saving nothing", async () => {
    const before = await t.db.flow.count();
    const spec = demoFlow("bad");
    spec.nodes = spec.nodes?.map((n) => (n.id === "double" ? { ...n, config: {} } : n));
    const answer = await rest("POST", "/flows", spec);
    expect(answer.status).toBe(400);
    const { error } = answer.json as ErrorBody;
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.problems?.map((p) => p.pathString)).toContain("nodes[1].config.code");
    expect(await t.db.flow.count()).toBe(before);
  });

  it("answers 400 for a malformed id or query value, with the path", async () => {
    const badId = await rest("GET", "/flows/not-a-uuid");
    expect(badId.status).toBe(400);
    expect((badId.json as ErrorBody).error.problems?.[0]?.pathString).toBe("id");
    const badQuery = await rest("GET", "/flows/00000000-0000-4000-8000-000000000000?version=two");
    expect(badQuery.status).toBe(400);
    expect((badQuery.json as ErrorBody).error.problems?.[0]?.pathString).toBe("version");
  });

  it("answers 415 for a body that is not JSON, 400 for broken JSON and 413 over the limit", async () => {
    const text = await rest("POST", "/flows", undefined, { raw: "name: x", contentType: "text/yaml" });
    expect(text.status).toBe(415);
    // An empty POST from another site's page (a form, a no-cors fetch) is refused before it acts.
    const flowId = (await t.api.flow.create(demoFlow("csrf"))).id;
    for (const contentType of [undefined, "text/plain", "application/x-www-form-urlencoded"]) {
      const res = await handleRestRequest(
        new Request(`http://localhost/api/v1/flows/${flowId}/deployments`, {
          method: "POST",
          headers: contentType === undefined ? {} : { "content-type": contentType },
        }),
        { authenticate: asTestAdmin, db: t.db },
      );
      expect(res.status).toBe(415);
    }
    expect(await t.db.deployment.count({ where: { flowId } })).toBe(0);
    const empty = await handleRestRequest(
      new Request(`http://localhost/api/v1/flows/${flowId}/deployments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
      }),
      { authenticate: asTestAdmin, db: t.db },
    );
    expect(empty.status).toBe(201);
    const broken = await rest("POST", "/flows", undefined, { raw: "{ nope" });
    expect(broken.status).toBe(400);
    expect((broken.json as ErrorBody).error.message).toMatch(/not JSON/);
    const big = await rest("POST", "/flows", { ...demoFlow("big"), description: "x".repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect((big.json as ErrorBody).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers 404 for an unknown route and 405 with Allow for a wrong verb", async () => {
    expect((await rest("GET", "/nothing-here")).status).toBe(404);
    const wrongVerb = await rest("PATCH", "/flows");
    expect(wrongVerb.status).toBe(405);
    expect(wrongVerb.headers.get("allow")).toBe("GET, POST");
  });

  it("answers OPTIONS with exactly the path's methods, and 404 for an unknown path", async () => {
    const flows = await rest("OPTIONS", "/flows");
    expect(flows.status).toBe(204);
    expect(flows.headers.get("allow")).toBe("GET, POST, OPTIONS");
    const flow = await rest("OPTIONS", "/flows/00000000-0000-4000-8000-000000000000");
    expect(flow.headers.get("allow")).toBe("GET, DELETE, OPTIONS");
    expect((await rest("OPTIONS", "/openapi.json")).headers.get("allow")).toBe("GET, OPTIONS");
    expect((await rest("OPTIONS", "/nothing-here")).status).toBe(404);
  });

  it("keeps secret values write-only and deletes with 204, then 404", async () => {
    const set = await rest("PUT", "/secrets/REST_TOKEN", { value: "hunter2-rest" });
    expect(set.status).toBe(200);
    expect(set.text).not.toContain("hunter2-rest");
    documented("secrets.set", set);
    const list = await rest("GET", "/secrets");
    expect(list.text).toContain("REST_TOKEN");
    expect(list.text).not.toContain("hunter2-rest");
    documented("secrets.list", list);
    expect((await rest("DELETE", "/secrets/REST_TOKEN")).status).toBe(204);
    expect((await rest("DELETE", "/secrets/REST_TOKEN")).status).toBe(404);
  });

  it("serves connection profiles and node types", async () => {
    const put = await rest("PUT", "/connections/rest-kafka", {
      kind: "kafka",
      config: { brokers: ["127.0.0.1:9092"] },
    });
    expect(put.status).toBe(200);
    documented("connections.set", put);
    documented("connections.list", await rest("GET", "/connections"));
    expect((await rest("GET", "/connections/rest-kafka")).json).toMatchObject({
      name: "rest-kafka",
      kind: "kafka",
    });
    expect((await rest("DELETE", "/connections/rest-kafka")).status).toBe(204);
    expect((await rest("GET", "/connections/rest-kafka")).status).toBe(404);
    const types = await rest("GET", "/node-types");
    documented("nodeTypes.list", types);
    expect(items<{ type: string }>(types).map((n) => n.type)).toEqual(
      expect.arrayContaining(["generator", "function", "log"]),
    );
  });

  it("answers a trigger of code that does not compile with its line, asking no engine", async () => {
    const answer = await rest("POST", "/functions/trigger", {
      code: "export default (r) => {\n  return r +;\n}",
      records: [{ value: 1 }],
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ ok: false, problems: [{ line: 2 }] });
    documented("functions.trigger", answer);
  });

  it("dry-runs a flow spec on sample records, answering what each sink captured as documented", async () => {
    // A flow without functions asks the engine nothing, but a dry run still needs one to be live.
    await t.db.engineInstance.create({ data: { id: "rest-dry-run", ingestUrl: "http://127.0.0.1:9" } });
    try {
      const spec = {
        name: "dry",
        nodes: [
          { id: "gen", kind: "source", type: "generator" },
          { id: "out", kind: "sink", type: "log" },
        ],
        edges: [{ id: "e", from: { node: "gen", port: "out" }, to: { node: "out" } }],
      };
      const records = [{ value: { n: 1 } }, { value: { n: 2 }, key: "k" }];
      const answer = await rest("POST", "/dry-runs", { spec, source: "gen", records });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        source: "gen",
        edges: [{ edgeId: "e", records }],
        nodes: [
          { nodeId: "gen", recordsIn: 2, recordsOut: 2 },
          { nodeId: "out", recordsIn: 2, captured: records },
        ],
      });
      documented("dryRun.run", answer);
      const refused = await rest("POST", "/dry-runs", { spec, source: "out", records });
      expect(refused.status).toBe(400);
    } finally {
      await t.db.engineInstance.deleteMany({ where: { id: "rest-dry-run" } });
    }
  });

  it("pages every list by limit and cursor: each item once, in order, then nextCursor null", async () => {
    const made: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      const created = await rest("POST", "/flows", demoFlow(`paged ${n}`));
      made.push((created.json as { id: string }).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await rest("GET", `/flows?limit=2${query}`);
      expect(page.status).toBe(200);
      documented("flow.list", page);
      const body = page.json as { items: { id: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((f) => f.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(made));

    const id = made[0] ?? "";
    for (const n of [2, 3, 4]) {
      await rest("POST", `/flows/${id}/versions`, { spec: { ...demoFlow(`paged 1`), description: `v${n}` } });
    }
    const first = await rest("GET", `/flows/${id}/versions?limit=3`);
    const firstBody = first.json as { items: { version: number }[]; nextCursor: string };
    expect(firstBody.items.map((v) => v.version)).toEqual([4, 3, 2]);
    const rest2 = await rest("GET", `/flows/${id}/versions?limit=3&cursor=${firstBody.nextCursor}`);
    expect(rest2.json).toMatchObject({ items: [{ version: 1 }], nextCursor: null });

    const bad = await rest("GET", "/flows?cursor=not-a-cursor");
    expect(bad.status).toBe(400);
    expect((bad.json as ErrorBody).error.problems?.[0]?.pathString).toBe("cursor");
    const tooMany = await rest("GET", "/flows?limit=1001");
    expect(tooMany.status).toBe(400);
  });

  it("lists engines with their transport, as documented", async () => {
    // A heartbeat row as an engine on the Kafka transport writes it; its /metrics answers nothing.
    await t.db.engineInstance.create({
      data: { id: "rest-kafka-engine", ingestUrl: "http://127.0.0.1:1", transport: "kafka" },
    });
    const engines = await rest("GET", "/engines");
    expect(engines.status).toBe(200);
    documented("engine.list", engines);
    expect(items<{ id: string; transport: string }>(engines)).toContainEqual(
      expect.objectContaining({ id: "rest-kafka-engine", transport: "kafka" }),
    );
    // Gone again, so no later test takes it for a live engine.
    await t.db.engineInstance.delete({ where: { id: "rest-kafka-engine" } });
  });

  it("documents every served route in an OpenAPI 3.1 document", async () => {
    const doc = await rest("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const spec = doc.json as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { parameters: { name: string; in: string }[]; requestBody?: unknown }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(spec.openapi).toBe("3.1.0");
    const ids = Object.values(spec.paths).flatMap((item) =>
      Object.values(item).map((op) => (op as unknown as { operationId: string }).operationId),
    );
    expect(ids).toHaveLength(REST_ROUTES.length);
    expect(new Set(ids).size).toBe(ids.length);
    for (const route of REST_ROUTES) {
      const op = spec.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      // Every answer is documented by a schema (a 204 has no body).
      const ok = (
        op as unknown as { responses: Record<string, { content?: Record<string, { schema: object }> }> }
      ).responses[String(route.status ?? 200)];
      if (route.status !== 204)
        expect(Object.keys(ok?.content?.["application/json"]?.schema ?? {})).not.toEqual([]);
      for (const name of Object.keys(route.params ?? {}))
        expect(op?.parameters).toContainEqual(expect.objectContaining({ name, in: "path" }));
    }
    const create = spec.paths["/flows"]?.post as {
      requestBody: { content: Record<string, { schema: unknown }> };
    };
    expect(create.requestBody.content["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/FlowSpec",
    });
    expect(spec.components.schemas.FlowSpec).toMatchObject({
      type: "object",
      properties: { nodes: { type: "array" } },
    });
    const deploy = spec.paths["/flows/{id}/deployments"]?.post as {
      requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
    };
    expect(Object.keys(deploy.requestBody.content["application/json"]?.schema.properties ?? {})).toEqual([
      "version",
    ]);
  });

  it("serves a self-contained reference page listing every route", async () => {
    const page = await rest("GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    for (const route of REST_ROUTES) expect(page.text).toContain(`<code>${route.path}</code>`);
    expect(page.text).not.toMatch(/<script|https?:\/\/(?!json-schema\.org)/);
    expect(page.text).toContain('href="/api/v1/openapi.json"');
  });

  it("is a valid OpenAPI 3.1 document by the OpenAPI Initiative's schema", async () => {
    const doc = await rest("GET", "/openapi.json");
    const validator = new Validator();
    const result = await validator.validate(doc.json as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });
});
