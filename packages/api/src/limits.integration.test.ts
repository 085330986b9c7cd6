// Regression tests for issue 10, findings 2 ("500 instead of a clear 400") and 3 ("unbounded
// inputs"): each request below got a 500, or was accepted, before the limits existed.
import { LIMITS } from "@weir/domain";
import { describe, expect, it } from "vitest";
import { demoFlow, demoFlowWithCode, useTestApi } from "../test/db";
import { callHttp, sendHttp, withInput } from "../test/http";
import type { HttpAnswer } from "../test/http";
import { handleArtifactUpload } from "./artifact-route";
import { DEFAULT_HTTP_LIMITS } from "./http-handler";
import { asTestAdmin } from "../test/principals";

const t = useTestApi();

const post = (path: string, body: unknown) => callHttp(t.db, path, { body });

interface ErrorBody {
  error: {
    message: string;
    data: {
      httpStatus: number;
      problems: { path: (string | number)[]; message: string; code: string }[] | null;
    };
  };
}

/** The answer's problems, after checking it is the given 4xx without a stack. */
function refused(answer: HttpAnswer, status: 400 | 413) {
  expect(answer.status, answer.text.slice(0, 500)).toBe(status);
  expect(answer.text).not.toMatch(/\n\s+at /);
  const body = answer.json as ErrorBody;
  expect(body.error.data.httpStatus).toBe(status);
  return body.error.data.problems ?? [];
}

function nested(depth: number): unknown {
  let value: unknown = "{{seq}}";
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}

function chain(count: number) {
  const nodes = [
    { id: "n0", kind: "source", type: "generator", config: {} },
    ...Array.from({ length: count - 1 }, (_, i) => ({
      id: `n${i + 1}`,
      kind: "function",
      type: "function",
      config: { code: "export default (r) => r" },
    })),
  ];
  const edges = nodes.slice(1).map((node, i) => ({
    id: `e${i}`,
    from: { node: `n${i}`, port: "out" },
    to: { node: node.id },
  }));
  return { name: "chain", nodes, edges };
}

describe("text Postgres cannot store is a 400 naming the field", () => {
  it("refuses NUL and lone surrogates in flow names, descriptions, node names and templates", async () => {
    const spec = demoFlow("ok");
    const cases: [unknown, (string | number)[]][] = [
      [{ ...spec, name: "a\u0000b" }, ["name"]],
      [{ ...spec, description: "lone \ud800" }, ["description"]],
      [
        { ...spec, nodes: spec.nodes?.map((n, i) => (i === 0 ? { ...n, name: "x\udc00" } : n)) },
        ["nodes", 0, "name"],
      ],
      [
        {
          ...spec,
          nodes: spec.nodes?.map((n, i) => (i === 0 ? { ...n, config: { template: { a: "\u0000" } } } : n)),
        },
        ["nodes", 0, "config", "template", "a"],
      ],
    ];
    for (const [body, path] of cases) {
      const problems = refused(await post("flow.create", body), 400);
      expect(problems).toContainEqual(expect.objectContaining({ path, code: "invalid_text" }));
    }
    expect((await t.api.flow.list()).length).toBe(0);
  });

  it("refuses NUL in secret names and a lone surrogate in a secret value instead of replacing it", async () => {
    const name = refused(await post("secrets.set", { name: "A\u0000", value: "v" }), 400);
    expect(name[0]).toMatchObject({ path: ["name"], code: "invalid_text" });
    const value = refused(await post("secrets.set", { name: "SURROGATE", value: "x\ud800y" }), 400);
    expect(value[0]).toMatchObject({ path: ["value"], code: "invalid_text" });
    expect(JSON.stringify(value)).not.toContain("x\ud800y");
    expect((await t.api.secrets.list()).map((s) => s.name)).not.toContain("SURROGATE");
  });

  it("refuses NUL in an artifact's name on the raw upload route", async () => {
    const res = await handleArtifactUpload(
      new Request(`http://localhost/api/artifacts?name=${encodeURIComponent("a\u0000")}`, {
        method: "POST",
        headers: { "content-type": "application/wasm" },
        body: new Uint8Array([0, 97, 115, 109]),
      }),
      t.db,
      asTestAdmin,
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("NUL");
  });

  it("refuses NUL in connection credentials", async () => {
    const answer = await post("connections.set", {
      name: "kafka-nul",
      kind: "kafka",
      config: { brokers: ["localhost:9092"] },
      secrets: { sasl: { password: "p\u0000" } },
    });
    expect(refused(answer, 400)[0]).toMatchObject({ path: ["secrets", "sasl", "password"] });
  });
});

describe("integers beyond their column", () => {
  it("answers a version number of 2^31 with 400 naming the field and the range", async () => {
    const { id } = await t.api.flow.create(demoFlow("versions"));
    for (const [path, input] of [
      ["flow.get", { id, version: 2 ** 31 }],
      ["flow.rollback", { id, version: 2 ** 31 }],
      ["deployment.deploy", { flowId: id, version: 2 ** 40 }],
    ] as const) {
      const answer =
        path === "flow.get" ? await callHttp(t.db, withInput(path, input)) : await post(path, input);
      const problems = refused(answer, 400);
      expect(problems[0]?.path).toEqual(["version"]);
      expect(problems[0]?.message).toContain(String(LIMITS.int32Max));
    }
  });
});

describe("flows too big or too deep for validation", () => {
  it("answers a flow of 10,000 chained edges with the size limit, not a stack overflow", async () => {
    const problems = refused(await post("flow.create", chain(10_001)), 400);
    expect(problems[0]).toMatchObject({ path: ["nodes"], code: "too_large" });
    expect(problems[0]?.message).toContain(String(LIMITS.flowNodes));
  });

  it("answers a template nested 10,000 deep, and one past the config depth, with the depth limit", async () => {
    const deep = (template: unknown) => ({
      ...demoFlow("deep"),
      nodes: [{ id: "gen", kind: "source", type: "generator", config: { template } }],
      edges: [],
    });
    // Written as text: JSON.stringify itself recurses, and a client need not use it.
    const hugeBody = JSON.stringify(deep("HOLE")).replace(
      '"HOLE"',
      `${'{"v":'.repeat(10_000)}"{{seq}}"${"}".repeat(10_000)}`,
    );
    const hugeReq = new Request("http://localhost/api/trpc/flow.create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: hugeBody,
    });
    const huge = refused(await sendHttp(t.db, hugeReq), 400);
    expect(huge[0]).toMatchObject({ code: "too_deep" });
    expect(huge[0]?.message).toContain(`${LIMITS.inputDepth} levels`);
    const over = refused(await post("flow.create", deep(nested(LIMITS.configDepth + 5))), 400);
    expect(over[0]).toMatchObject({ code: "too_deep" });
    expect(over[0]?.path.slice(0, 4)).toEqual(["nodes", 0, "config", "template"]);
    expect(over[0]?.message).toContain(`${LIMITS.configDepth} levels`);
    expect((await post("flow.create", deep(nested(8)))).status).toBe(200);
  });

  it("refuses more nodes than the limit, so flow.get's answer is bounded by it", async () => {
    const nodes = Array.from({ length: LIMITS.flowNodes + 1 }, (_, i) => ({
      id: `g${i}`,
      kind: "source",
      type: "generator",
    }));
    const problems = refused(await post("flow.create", { name: "wide", nodes, edges: [] }), 400);
    expect(problems[0]).toMatchObject({ path: ["nodes"], code: "too_large" });
  });

  it("refuses code over the size limit before compiling it", async () => {
    const code = `export default (r) => r;\n${"// padding\n".repeat(LIMITS.codeBytes / 10)}`;
    const started = Date.now();
    const validated = await post("flow.validate", demoFlowWithCode(code));
    expect(validated.json).toMatchObject({ result: { data: { ok: false } } });
    const problems = refused(await post("flow.create", demoFlowWithCode(code)), 400);
    expect(problems[0]).toMatchObject({ path: ["nodes", 1, "config", "code"], code: "too_large" });
    expect(problems[0]?.message).toContain(String(LIMITS.codeBytes));
    const trigger = refused(await post("functions.trigger", { code, records: [{ value: 1 }] }), 400);
    expect(trigger[0]).toMatchObject({ path: ["code"] });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("compiles off the request thread: a quick query finishes while a big compile runs", async () => {
    const code = `export default (r) => r;\n${"const a = [1, 2, 3].map((x: number) => x * 2);\n".repeat(5_000)}`;
    expect(Buffer.byteLength(code)).toBeLessThan(LIMITS.codeBytes);
    const order: string[] = [];
    const validate = post("flow.validate", demoFlowWithCode(code)).then((answer) => {
      order.push("validate");
      return answer;
    });
    const list = callHttp(t.db, "engine.list").then((answer) => {
      order.push("list");
      return answer;
    });
    const [validated, listed] = await Promise.all([validate, list]);
    expect(validated.json).toMatchObject({ result: { data: { ok: true } } });
    expect(listed.status).toBe(200);
    expect(order).toEqual(["list", "validate"]);
  });
});

describe("request limits", () => {
  it("refuses 10 MB of unknown fields with 413 naming the limit, with or without content-length", async () => {
    const body = JSON.stringify({ ...demoFlow("bloat"), junk: "x".repeat(10 * 1024 * 1024) });
    const withLength = await sendHttp(
      t.db,
      new Request("http://localhost/api/trpc/flow.create", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(body.length) },
        body,
      }),
    );
    const problems = refused(withLength, 413);
    expect(problems[0]?.message).toContain(String(DEFAULT_HTTP_LIMITS.maxBodyBytes));
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1024 * 1024)
          controller.enqueue(bytes.slice(at, at + 1024 * 1024));
        controller.close();
      },
    });
    const chunked = await sendHttp(
      t.db,
      new Request("http://localhost/api/trpc/flow.create", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: stream,
        duplex: "half",
      }),
    );
    refused(chunked, 413);
    expect((await t.api.flow.list()).some((f) => f.name === "bloat")).toBe(false);
  });

  it("takes a lower body limit from the handler's options", async () => {
    const req = new Request("http://localhost/api/trpc/secrets.set", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "SMALL", value: "x".repeat(2000) }),
    });
    const problems = refused(await sendHttp(t.db, req, { maxBodyBytes: 1000 }), 413);
    expect(problems[0]?.message).toContain("1000 bytes");
  });

  it("refuses 1,000 batched calls in one GET, naming the batch limit", async () => {
    const paths = Array.from({ length: 1_000 }, () => "engine.list").join(",");
    const answer = await sendHttp(t.db, new Request(`http://localhost/api/trpc/${paths}?batch=1&input={}`));
    const problems = refused(answer, 400);
    expect(problems[0]?.message).toContain(`at most ${DEFAULT_HTTP_LIMITS.maxBatchSize} calls`);
    const ok = Array.from({ length: 3 }, () => "engine.list").join(",");
    expect(
      (await sendHttp(t.db, new Request(`http://localhost/api/trpc/${ok}?batch=1&input={}`))).status,
    ).toBe(200);
  });

  it("bounds secret names and Kafka credentials", async () => {
    const name = refused(await post("secrets.set", { name: "N".repeat(1024 * 1024), value: "v" }), 400);
    expect(name[0]).toMatchObject({ path: ["name"] });
    const password = refused(
      await post("connections.set", {
        name: "kafka-long",
        kind: "kafka",
        config: { brokers: ["localhost:9092"], sasl: { mechanism: "plain", username: "u" } },
        secrets: { sasl: { password: "p".repeat(LIMITS.connectionStringChars + 1) } },
      }),
      400,
    );
    expect(password[0]).toMatchObject({ path: ["secrets", "sasl", "password"], code: "too_large" });
    expect(password[0]?.message).toContain(String(LIMITS.connectionStringChars));
  });
});
