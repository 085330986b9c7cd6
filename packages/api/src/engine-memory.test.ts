import { describe, expect, it } from "vitest";
import { metricsUrlOf, residentMemoryOf } from "./engine-memory";

describe("engine memory", () => {
  it("reads process_resident_memory_bytes from Prometheus text, with or without labels", () => {
    const text = [
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      "process_resident_memory_bytes 123456789",
      "process_resident_memory_bytes_total_other 5",
    ].join("\n");
    expect(residentMemoryOf(text)).toBe(123456789);
    expect(residentMemoryOf('process_resident_memory_bytes{engine="a"} 4.2e7\n')).toBe(42_000_000);
    // What the engine serves: its metrics are prefixed and labelled with its id.
    expect(
      residentMemoryOf('weir_engine_process_resident_memory_bytes{engine="vm-start-1"} 419864576\n'),
    ).toBe(419864576);
    expect(residentMemoryOf("process_heap_bytes 5\n")).toBeNull();
    expect(residentMemoryOf("process_resident_memory_bytes NaN\n")).toBeNull();
  });

  it("finds /metrics at the origin of the ingest URL", () => {
    expect(metricsUrlOf("http://127.0.0.1:4100")).toBe("http://127.0.0.1:4100/metrics");
    expect(metricsUrlOf("https://engine.example/ingest")).toBe("https://engine.example/metrics");
    expect(metricsUrlOf("not a url")).toBeNull();
  });
});
