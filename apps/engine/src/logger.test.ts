import { afterEach, describe, expect, it, vi } from "vitest";
import { readLogOptions } from "./env";
import { createLogger } from "./logger";

afterEach(() => {
  vi.restoreAllMocks();
});

function captured(): string[] {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return lines;
}

describe("engine logs", () => {
  it("writes one JSON object per line with the flow, deployment and node ids of the scope", () => {
    const lines = captured();
    const log = createLogger("engine", { format: "json" })
      .child("deployment 1234", { flow: "f-1", deployment: "d-1" })
      .child("fn", { node: "fn" });
    log.warn('a "quoted"\nmessage');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "warn",
      scope: "engine/deployment 1234/fn",
      flow: "f-1",
      deployment: "d-1",
      node: "fn",
      msg: 'a "quoted"\nmessage',
    });
  });

  it("writes text lines by default and debug lines only when asked", () => {
    const lines = captured();
    createLogger("engine").child("http").info("ready");
    createLogger("engine").debug("hidden");
    createLogger("engine", { debug: true }).debug("shown");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+ info {2}\[engine\/http\] ready\n$/);
    expect(lines[1]).toMatch(/debug \[engine\] shown/);
  });

  it("reads WEIR_LOG_FORMAT and refuses anything but text or json", () => {
    expect(readLogOptions({})).toEqual({ format: "text", debug: false });
    expect(readLogOptions({ WEIR_LOG_FORMAT: "JSON", WEIR_DEBUG: "1" })).toEqual({
      format: "json",
      debug: true,
    });
    expect(() => readLogOptions({ WEIR_LOG_FORMAT: "xml" })).toThrow(/WEIR_LOG_FORMAT must be text or json/);
  });
});
