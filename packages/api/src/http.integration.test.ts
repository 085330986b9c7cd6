// The API as curl and the web app's route handler see it: plain JSON over HTTP, no transformer.
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../test/db";
import { callHttp } from "../test/http";
import { anyString, arrayContaining, containing } from "../test/match";

const t = useTestApi();

const call = (path: string, init?: { body: unknown }) => callHttp(t.db, path, init);

describe("HTTP", () => {
  it("creates with a POST body and reads with a GET query, all plain JSON", async () => {
    const created = await call("flow.create", { body: demoFlow("http") });
    expect(created.status).toBe(200);
    const { id } = (created.json as { result: { data: { id: string } } }).result.data;

    const got = await call(`flow.get?input=${encodeURIComponent(JSON.stringify({ id }))}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      result: { data: { id, name: "http", version: 1, createdAt: anyString() } },
    });

    const list = await call("flow.list");
    expect(list.json).toMatchObject({ result: { data: arrayContaining([expect.objectContaining({ id })]) } });
  });

  it("puts every problem of an invalid flow in error.data.problems", async () => {
    const res = await call("flow.create", {
      body: { ...demoFlow("bad"), nodes: [{ id: "f", kind: "function", type: "function", config: {} }] },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        message: containing("invalid flow: nodes[0].config.code: function node has no code"),
        data: {
          code: "BAD_REQUEST",
          httpStatus: 400,
          path: "flow.create",
          problems: arrayContaining([
            {
              path: ["nodes", 0, "config", "code"],
              pathString: "nodes[0].config.code",
              message: "function node has no code",
              code: "missing_code",
            },
          ]),
        },
      },
    });
  });

  it("gives code problems their line and column", async () => {
    const spec = demoFlow("bad-code");
    const res = await call("flow.create", {
      body: {
        ...spec,
        nodes: spec.nodes?.map((n) =>
          n.id === "double" ? { ...n, config: { code: "export default (r) => {\n  return r +;\n}" } } : n,
        ),
      },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        data: {
          code: "BAD_REQUEST",
          problems: [
            {
              path: ["nodes", 1, "config", "code"],
              pathString: "nodes[1].config.code",
              message: "line 2, column 13: Expression expected.",
              code: "code_error",
              line: 2,
              column: 13,
            },
          ],
        },
      },
    });
  });

  it("reports input errors with problems too, and other errors with problems null", async () => {
    const bad = await call(`flow.get?input=${encodeURIComponent(JSON.stringify({ id: "x" }))}`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: {
        data: { code: "BAD_REQUEST", problems: [{ path: ["id"], pathString: "id", code: "invalid_shape" }] },
      },
    });

    const missing = await call(
      `flow.get?input=${encodeURIComponent(JSON.stringify({ id: "00000000-0000-4000-8000-000000000000" }))}`,
    );
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      error: {
        message: "flow 00000000-0000-4000-8000-000000000000 not found",
        data: { code: "NOT_FOUND", problems: null },
      },
    });
  });
});
