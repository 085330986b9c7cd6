// Python functions are checked when a flow is saved, as TypeScript is: CPython's parser gives the
// line and column, and nothing is stored. A web process without Python saves them unchecked (the
// engine checks again at deploy).
import { afterEach, describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";
import { containing } from "../../test/match";

const t = useTestApi();

function pythonFlow(code: string, name: string) {
  const spec = demoFlow(name);
  return {
    ...spec,
    nodes: spec.nodes?.map((n) =>
      n.id === "double"
        ? { ...n, config: { ...n.config, code, language: "python" as const, runtime: "python" as const } }
        : n,
    ),
  };
}

const BROKEN = "def handle(record, ctx):\n    return record +\n";
const GOOD = "def handle(record, ctx):\n    return record\n";

afterEach(() => {
  delete process.env.WEIR_PYTHON;
});

describe("saving a Python function", () => {
  it("refuses code CPython cannot parse at its line and column, and a literal import of subprocess", async () => {
    await expect(t.api.flow.create(pythonFlow(BROKEN, "py-broken"))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("nodes[1].config.code: line 2, column 20: invalid syntax"),
    });
    await expect(
      t.api.flow.create(pythonFlow(`import subprocess\n${GOOD}`, "py-subprocess")),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("nodes[1].config.code: line 1, column 1: 'subprocess'"),
    });
    expect(await t.db.flow.count({ where: { name: { in: ["py-broken", "py-subprocess"] } } })).toBe(0);
  });

  it("saves code that parses, and saves unchecked where there is no Python", async () => {
    expect(await t.api.flow.create(pythonFlow(GOOD, "py-good"))).toMatchObject({ version: 1 });
    process.env.WEIR_PYTHON = "/usr/bin/no-such-python";
    expect(await t.api.flow.create(pythonFlow(BROKEN, "py-unchecked"))).toMatchObject({ version: 1 });
  });
});
