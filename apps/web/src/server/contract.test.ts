import { describe, expect, it } from "vitest";
import { contractDeclarations } from "./contract";

describe("contractDeclarations", () => {
  it("reads the function contract from @weir/function-contract", () => {
    const text = contractDeclarations();
    expect(text).toContain("export interface Ctx");
    expect(text).toContain("export type Handler");
  });
});
