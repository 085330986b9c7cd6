// Uploading WebAssembly components: only valid Weir components are stored, by content hash;
// anything else is refused with what is wrong, and nothing is stored.
import { createHash } from "node:crypto";
import { componentEmbed, componentNew } from "@bytecodealliance/jco";
import { exampleComponent } from "@weir/testkit/function-examples";
import { beforeAll, describe, expect, it } from "vitest";
import { handleArtifactUpload } from "../artifact-route";
import { caught, demoFlow, useTestApi } from "../../test/db";
import { anyString, containing } from "../../test/match";
import { asTestAdmin } from "../../test/principals";

const t = useTestApi();

let component: Uint8Array;
let sha256: string;
beforeAll(async () => {
  component = (await exampleComponent("go")).bytes;
  sha256 = createHash("sha256").update(component).digest("hex");
}, 300_000);

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

/** The smallest valid core module: the header and no sections. */
const CORE_MODULE = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** A real component, but of another world: it exports `run` and nothing Weir calls. */
async function otherWorldComponent(): Promise<Uint8Array> {
  const core = await componentEmbed({
    dummy: true,
    witSource: "package other:thing;\nworld command {\n  export run: func();\n}\n",
    world: "command",
  });
  return componentNew(core, []);
}

async function storedCount(): Promise<number> {
  return t.db.wasmArtifact.count();
}

function post(body: Uint8Array, type = "application/wasm", query = ""): Promise<Response> {
  return handleArtifactUpload(
    new Request(`http://localhost/api/artifacts${query}`, {
      method: "POST",
      headers: { "content-type": type },
      body: Buffer.from(body),
    }),
    t.db,
    asTestAdmin,
  );
}

describe("artifacts", () => {
  it("refuses garbage, a core module and a component of another world, storing nothing", async () => {
    const before = await storedCount();
    await expect(
      t.api.artifacts.upload({ base64: base64(Buffer.from("hello, not wasm")) }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("not a valid Weir component: not a WebAssembly binary"),
    });
    await expect(t.api.artifacts.upload({ base64: base64(CORE_MODULE) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("not a valid Weir component: a core WebAssembly module, not a component"),
    });
    await expect(
      t.api.artifacts.upload({ base64: base64(await otherWorldComponent()) }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("missing export `init`"),
    });
    await expect(t.api.artifacts.upload({ base64: "" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "the upload is empty: send a .wasm component",
    });
    expect(await storedCount()).toBe(before);
  });

  it("stores a Weir component by its sha256, once, and lists and gets its metadata", async () => {
    const first = await t.api.artifacts.upload({ base64: base64(component), name: "go-transform" });
    expect(first).toEqual({
      sha256,
      name: "go-transform",
      size: component.length,
      world: "weir:function/function@0.1.0",
      metadata: {
        imports: expect.arrayContaining(["weir:function/log@0.1.0", "weir:function/state@0.1.0"]) as unknown,
        exports: ["init", "process"],
      },
      createdAt: anyString(),
      created: true,
    });
    const again = await t.api.artifacts.upload({ base64: base64(component), name: "renamed" });
    expect(again).toMatchObject({ sha256, name: "go-transform", created: false });
    const row = await t.db.wasmArtifact.findUniqueOrThrow({ where: { sha256 } });
    expect(Buffer.from(row.bytes).equals(Buffer.from(component))).toBe(true);

    const { created: _created, ...view } = first;
    expect(await t.api.artifacts.list()).toContainEqual({ ...view, flows: [] });
    expect(await t.api.artifacts.get({ sha256 })).toEqual(view);
    await expect(t.api.artifacts.get({ sha256: "0".repeat(64) })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(t.api.artifacts.get({ sha256: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("takes raw bytes over HTTP: 201 when new, 200 when known, 400 and 415 when refused", async () => {
    await t.db.wasmArtifact.deleteMany({ where: { sha256 } });
    const created = await post(component, "application/wasm", "?name=from-curl");
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ sha256, name: "from-curl", size: component.length });
    expect((await post(component)).status).toBe(200);

    const before = await storedCount();
    const core = await post(CORE_MODULE);
    expect(core.status).toBe(400);
    expect(await core.json()).toEqual({
      error: { code: "INVALID_ARTIFACT", message: containing("core WebAssembly module") },
    });
    const json = await post(component, "application/json");
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ error: { message: containing("application/wasm") } });
    expect(await storedCount()).toBe(before);
  });

  it("refuses to deploy a wasm node whose artifact was never uploaded, at its path", async () => {
    const spec = demoFlow("wasm-deploy");
    const missing = "ab".repeat(32);
    const withArtifact = (artifact: string) => ({
      ...spec,
      nodes: spec.nodes?.map((n) =>
        n.id === "double" ? { ...n, config: { runtime: "wasm", artifact } } : n,
      ),
    });
    const flow = await t.api.flow.create(withArtifact(missing));
    const error = await caught(() => t.api.deployment.deploy({ flowId: flow.id }));
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      message: `invalid flow: nodes[1].config.artifact: artifact ${missing} not found (upload the component with artifacts.upload or POST /api/artifacts)`,
      cause: { problems: [{ path: ["nodes", 1, "config", "artifact"], code: "missing_artifact" }] },
    });
    await t.api.artifacts.upload({ base64: base64(component) });
    await t.api.flow.update({ id: flow.id, spec: withArtifact(sha256) });
    await expect(t.api.deployment.deploy({ flowId: flow.id })).resolves.toMatchObject({
      desiredState: "running",
    });
  });
});
