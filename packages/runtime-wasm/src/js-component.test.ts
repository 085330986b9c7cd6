import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { componentizeJs } from "./js-component";

const FIXTURE = fileURLToPath(new URL("../test/components/fixture.js", import.meta.url));

describe("componentizeJs with weval (ahead-of-time StarlingMonkey)", () => {
  it("refuses a weval binary that does not exist, rather than letting componentize-js download one", async () => {
    await expect(componentizeJs({ sourcePath: FIXTURE, wevalBin: "/nonexistent/weval" })).rejects.toThrow(
      "no weval binary at /nonexistent/weval (WEIR_WEVAL_BIN or the wevalBin option)",
    );
  });
});
