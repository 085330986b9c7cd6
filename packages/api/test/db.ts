// A private, migrated database per test file, and a caller bound to it.
import type { Db } from "@weir/db";
import type { FlowSpecInput } from "@weir/domain";
import { useTestDatabase } from "@weir/testkit/test-database";
import { beforeAll } from "vitest";
import { createCaller } from "../src/index";
import { testAuth } from "./auth";
import { testAdmin } from "./principals";

export interface TestApi {
  db: Db;
  api: ReturnType<typeof createCaller>;
}

/** Call at the top of a test file; the returned object is filled in before the first test runs. */
export function useTestApi(): TestApi {
  const database = useTestDatabase("weir_api_test");
  const handle = {} as TestApi;
  beforeAll(() => {
    handle.db = database.db;
    handle.api = createCaller({ principal: testAdmin, db: database.db, auth: testAuth(database.db) });
  });
  return handle;
}

/** generator → function → log: the smallest flow that exercises every node kind. */
export function demoFlow(name = "demo"): FlowSpecInput {
  return {
    name,
    description: "doubles a counter",
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 100, count: 10 } },
      {
        id: "double",
        kind: "function",
        type: "function",
        config: { code: "export default (r) => ({ value: { n: r.value.seq * 2 } })" },
      },
      { id: "out", kind: "sink", type: "log" },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "double" } },
      { id: "e2", from: { node: "double", port: "out" }, to: { node: "out" } },
    ],
  };
}

/** demoFlow with the function node's code replaced. */
export function demoFlowWithCode(code: string, name = "demo"): FlowSpecInput {
  const spec = demoFlow(name);
  return {
    ...spec,
    nodes: spec.nodes?.map((n) => (n.id === "double" ? { ...n, config: { ...n.config, code } } : n)),
  };
}

/** Code with a syntax error on line 2, column 13. */
export const BROKEN_CODE = "export default (r) => {\n  return r +;\n}";

/** Runs `fn` and returns what it threw; fails the test when it does not throw. */
export async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
