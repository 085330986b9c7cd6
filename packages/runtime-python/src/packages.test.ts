// Requirements are installed from PyPI (wheels only) into a cached directory: this test needs the
// package index, as the CI's componentize-py install does.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { createMemoryHost } from "@weir/runtime-conformance";
import type { FunctionSpec } from "@weir/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonRuntime } from "./index";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(os.tmpdir(), "weir-python-packages-"));
  process.env.WEIR_PYTHON_PACKAGES = root;
});
afterAll(async () => {
  delete process.env.WEIR_PYTHON_PACKAGES;
  await rm(root, { recursive: true, force: true });
});

function spec(requirements: string[]): FunctionSpec {
  return {
    nodeId: "py",
    code: 'import six\ndef handle(r, ctx):\n    return {"value": [six.__version__, six.__file__]}\n',
    language: "python",
    params: {},
    ports: ["out"],
    timeoutMs: 2_000,
    memoryLimitMb: 64,
    requirements,
  };
}

describe("requirements", () => {
  it("installs them once into a cached, read-only directory on the workers' path", async () => {
    const first = await pythonRuntime.createInstance(spec(["six==1.16.0"]), createMemoryHost());
    const [outcome] = await first.process([{ key: null, value: 1, headers: {}, timestamp: 1 }]);
    await first.close();
    expect(outcome).toEqual({
      ok: true,
      outputs: [
        {
          port: "out",
          record: { key: null, value: ["1.16.0", "/weir-packages/six.py"], headers: {}, timestamp: 1 },
        },
      ],
    });
    // The same set, written differently, is the same directory: nothing is installed again.
    const second = await pythonRuntime.createInstance(spec(["six == 1.16.0"]), createMemoryHost());
    await second.close();
    expect((await readdir(root)).filter((name) => !name.startsWith("."))).toHaveLength(1);
  }, 120_000);

  it("refuses to start when a requirement cannot be installed, saying what pip said", async () => {
    await expect(
      pythonRuntime.createInstance(spec(["weir-no-such-package-4f1c==0.0.1"]), createMemoryHost()),
    ).rejects.toThrow(
      /the requirements could not be installed \(weir-no-such-package-4f1c==0.0.1\):.*No matching distribution/s,
    );
  }, 120_000);
});
