import { describe, expect, it } from "vitest";
import { readEnv } from "./env";

describe("readEnv", () => {
  it("accepts a postgres URL", () => {
    expect(readEnv({ DATABASE_URL: " postgresql://weir:weir@db:5432/weir " })).toEqual({
      DATABASE_URL: "postgresql://weir:weir@db:5432/weir",
    });
    expect(readEnv({ DATABASE_URL: "postgres://localhost/weir" }).DATABASE_URL).toBe(
      "postgres://localhost/weir",
    );
  });

  it("says what is missing or wrong", () => {
    expect(() => readEnv({})).toThrow(/DATABASE_URL is not set/);
    expect(() => readEnv({ DATABASE_URL: "mysql://localhost/weir" })).toThrow(
      /postgres:\/\/ or postgresql:\/\//,
    );
  });
});
