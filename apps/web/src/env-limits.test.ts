import { describe, expect, it } from "vitest";
import { readApiLimits } from "./env";

describe("readApiLimits", () => {
  it("has defaults and takes the env vars", () => {
    expect(readApiLimits({})).toEqual({ maxBodyBytes: 4 * 1024 * 1024, maxBatchSize: 50 });
    expect(readApiLimits({ WEIR_API_MAX_BODY_BYTES: "1024", WEIR_API_MAX_BATCH: " 5 " })).toEqual({
      maxBodyBytes: 1024,
      maxBatchSize: 5,
    });
  });

  it("refuses what is not a positive integer", () => {
    expect(() => readApiLimits({ WEIR_API_MAX_BODY_BYTES: "10MB" })).toThrow(/WEIR_API_MAX_BODY_BYTES/);
    expect(() => readApiLimits({ WEIR_API_MAX_BATCH: "0" })).toThrow(/WEIR_API_MAX_BATCH/);
  });
});
