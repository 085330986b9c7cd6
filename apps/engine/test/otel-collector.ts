// A real OpenTelemetry Collector for tracing tests: built once by the collector's own builder
// (`go install go.opentelemetry.io/collector/cmd/builder@v0.165.0`, then the manifest in
// test/otelcol: the upstream otlpreceiver and debugexporter) and cached under .weir/otelcol; it
// receives OTLP/HTTP and prints every span it gets (debug exporter, detailed), which the test reads.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ephemeralPort } from "@weir/testkit/ports";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const cache = path.join(repo, ".weir", "otelcol");
const manifest = path.join(here, "otelcol", "manifest.yaml");
const BUILDER = "go.opentelemetry.io/collector/cmd/builder@v0.165.0";

/** The collector binary, built (about a minute, once) when missing or when the manifest changed. */
export function collectorBinary(): string {
  const binary = path.join(cache, "build", "weir-otelcol");
  const stamp = path.join(cache, "manifest.sha256");
  const wanted = createHash("sha256").update(readFileSync(manifest)).digest("hex");
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return binary;
  mkdirSync(cache, { recursive: true });
  const env = { ...process.env, GOBIN: path.join(cache, "bin") };
  const run = (file: string, args: string[]): void => {
    execFileSync(file, args, { cwd: cache, env, stdio: "pipe", timeout: 600_000 });
  };
  run("go", ["install", BUILDER]);
  run(path.join(cache, "bin", "builder"), ["--config", manifest]);
  writeFileSync(stamp, wanted);
  return binary;
}

/** One span as the debug exporter printed it. */
export interface ExportedSpan {
  traceId: string;
  parentId: string;
  id: string;
  name: string;
  kind: string;
  status: string;
  attributes: Record<string, string>;
  events: string[];
}

export interface Collector {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  spans(): ExportedSpan[];
  output(): string;
  stop(): Promise<void>;
}

/** `basic` prints only counts (for benchmarks that send many spans); `detailed` every span. */
export async function startCollector(verbosity: "basic" | "detailed" = "detailed"): Promise<Collector> {
  const binary = collectorBinary();
  const port = await ephemeralPort();
  const config = path.join(tmpdir(), `weir-otelcol-${process.pid}-${port}.yaml`);
  writeFileSync(
    config,
    [
      "receivers:",
      "  otlp:",
      "    protocols:",
      "      http:",
      `        endpoint: 127.0.0.1:${port}`,
      "exporters:",
      "  debug:",
      `    verbosity: ${verbosity}`,
      "service:",
      "  telemetry:",
      "    metrics:",
      "      level: none",
      "  pipelines:",
      "    traces:",
      "      receivers: [otlp]",
      "      exporters: [debug]",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(binary, ["--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      resolve();
    }),
  );
  const deadline = Date.now() + 30_000;
  while (!output.includes("Everything is ready")) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the collector did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => parseSpans(output),
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Reads the debug exporter's detailed dump: `Span #n` blocks of `Field : value` and `-> key: Type(value)` lines. */
export function parseSpans(text: string): ExportedSpan[] {
  const spans: ExportedSpan[] = [];
  for (const block of text.split(/^Span #\d+\s*$/m).slice(1)) {
    const field = (name: string): string =>
      new RegExp(`^\\s*${name}\\s*:[ \\t]*(.*)$`, "m").exec(block)?.[1]?.trim() ?? "";
    const body = block.split(/^(?:ResourceSpans|ScopeSpans) #/m)[0] ?? block;
    const attributes: Record<string, string> = {};
    const attributeBlock = /^Attributes:\n((?:\s+-> .*\n?)*)/m.exec(body)?.[1] ?? "";
    for (const match of attributeBlock.matchAll(/->\s*([^:]+):\s*\w+\((.*)\)\s*$/gm))
      attributes[match[1]?.trim() ?? ""] = match[2] ?? "";
    spans.push({
      traceId: field("Trace ID"),
      parentId: field("Parent ID"),
      id: field("ID"),
      name: field("Name"),
      kind: field("Kind"),
      status: field("Status code"),
      attributes,
      events: [...body.matchAll(/^\s*-> Name: (.*)$/gm)].map((match) => match[1]?.trim() ?? ""),
    });
  }
  return spans;
}
