// `weir trigger` and `weir test`: run function code (a file, a node of a stored flow, or a node of
// a flow file) on sample records in a live engine without deploying, and print what came out per
// record and port.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import type { Client } from "./client";
import { CliError, EXIT } from "./errors";
import type { Io } from "./main";
import { loadFlowFile } from "./flow-file";
import { json, resolveFlow } from "./output";
import { runFlowTests } from "./flow-tests-run";

type TriggerAnswer =
  | {
      ok: true;
      results: { outputs: Record<string, unknown[]>; error: { message: string; line?: number } | null }[];
      logs: { level: string; message: string }[];
      timing: { processMs: number };
    }
  | { ok: false; problems: { message: string; line?: number; column?: number }[]; logs: unknown[] };

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliError(EXIT.usage, `${what} ${file}: ${why}`);
  }
}

function readRecords(file: string): unknown[] {
  let records: unknown;
  try {
    records = parse(readText(file, "records file")) as unknown;
  } catch (error) {
    throw new CliError(
      EXIT.usage,
      `${file}: malformed records: ${(error as Error).message.split("\n")[0] ?? ""}`,
    );
  }
  if (!Array.isArray(records) || records.length === 0) {
    throw new CliError(
      EXIT.usage,
      `${file}: expected a non-empty list of records, each { value, key?, headers? }`,
    );
  }
  return records;
}

/** Sends a trigger request and prints what came out per record; exit 1 when a record failed. */
async function sendTrigger(
  c: Client,
  request: Record<string, unknown>,
  io: Io,
  asJson: boolean,
): Promise<void> {
  const answer = await c.request<TriggerAnswer>("POST", "/functions/trigger", request);
  if (asJson) io.out(json(answer));
  if (!answer.ok) {
    const where = (p: { line?: number; column?: number }): string =>
      p.line === undefined ? "" : `line ${p.line}, column ${p.column ?? 0}: `;
    throw new CliError(
      EXIT.refused,
      "the code does not compile",
      answer.problems.map((p) => `${where(p)}${p.message}`),
    );
  }
  let failed = 0;
  answer.results.forEach((result, i) => {
    if (result.error) {
      failed++;
      const line = result.error.line === undefined ? "" : ` (line ${result.error.line})`;
      if (!asJson) io.out(`record ${i}: error: ${result.error.message}${line}\n`);
      return;
    }
    if (asJson) return;
    const ports = Object.entries(result.outputs);
    if (ports.every(([, out]) => out.length === 0)) io.out(`record ${i}: no output\n`);
    for (const [port, out] of ports)
      for (const record of out) io.out(`record ${i} → ${port}: ${JSON.stringify(record)}\n`);
  });
  if (!asJson) {
    for (const log of answer.logs) io.out(`log ${log.level}: ${log.message}\n`);
    io.out(`${answer.results.length} record(s) in ${answer.timing.processMs} ms\n`);
  }
  if (failed > 0) throw new CliError(EXIT.refused, `${failed} of ${answer.results.length} record(s) failed`);
}

/** The trigger request for a function node's config (code or artifact, and how it runs). */
function requestFor(config: Record<string, unknown>, records: unknown[]): Record<string, unknown> {
  const { code, language, runtime, artifact, params, secrets, timeoutMs, memoryLimitMb } = config;
  return { code, language, runtime, artifact, params, secrets, timeoutMs, memoryLimitMb, records };
}

export function addTriggerCommand(program: Command, client: () => Client, io: Io): void {
  program
    .command("trigger")
    .description(
      "run function code on sample records in a live engine, without deploying; exit 1 if any record fails",
    )
    .requiredOption("--records <file>", "a JSON or YAML list of records, each { value, key?, headers? }")
    .option("--code-file <file>", "the function's code")
    .option("--flow <flow>", "take the code (and params, secrets, language) from this flow's node")
    .option("--node <id>", "the function node, with --flow")
    .option("--json", "print the engine's answer as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  weir trigger --code-file double.ts --records samples.yaml\n  weir trigger --flow quickstart --node double --records samples.json --json",
    )
    .action(
      async (options: {
        records: string;
        codeFile?: string;
        flow?: string;
        node?: string;
        json?: boolean;
      }) => {
        const records = readRecords(options.records);
        const c = client();
        let request: Record<string, unknown>;
        if (options.codeFile !== undefined) {
          request = { code: readText(options.codeFile, "code file"), records };
        } else if (options.flow !== undefined && options.node !== undefined) {
          const id = await resolveFlow(c, options.flow);
          const flow = await c.request<{
            spec: { nodes: { id: string; kind: string; config: Record<string, unknown> }[] };
          }>("GET", `/flows/${id}`);
          const node = flow.spec.nodes.find((n) => n.id === options.node && n.kind === "function");
          if (!node)
            throw new CliError(EXIT.refused, `flow ${options.flow} has no function node ${options.node}`);
          request = requestFor(node.config, records);
        } else {
          throw new CliError(EXIT.usage, "give --code-file FILE, or --flow FLOW --node NODE");
        }
        await sendTrigger(c, request, io, options.json === true);
      },
    );

  program
    .command("test <flow-file>")
    .description(
      "run a flow file's tests: cases as dry runs (functions in a live engine, nothing saved or deployed; exit 1 if a case fails), or with --node and --records one function node on sample records",
    )
    .option("--node <id>", "the function node (with --records)")
    .option("--records <file>", "a JSON or YAML list of records, each { value, key?, headers? }")
    .option("--json", "print the answer as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  weir test flows/quickstart.yaml          # its tests: cases, with a diff of expected (-) and actual (+)\n  weir test examples/flows/generator-js-log.yaml --node double --records samples.yaml",
    )
    .action(async (file: string, options: { node?: string; records?: string; json?: boolean }) => {
      const flow = loadFlowFile(file);
      if (options.node === undefined && options.records === undefined) {
        await runFlowTests(client(), flow, io, options.json === true);
        return;
      }
      if (options.node === undefined || options.records === undefined)
        throw new CliError(EXIT.usage, "--node and --records go together");
      const records = readRecords(options.records);
      const functions = flow.spec.nodes.filter((n) => n.kind === "function");
      const node = functions.find((n) => n.id === options.node);
      if (!node) {
        const known = functions.map((n) => n.id).join(", ") || "none";
        throw new CliError(
          EXIT.usage,
          `${file}: no function node ${options.node} (function nodes: ${known})`,
        );
      }
      await sendTrigger(client(), requestFor(node.config, records), io, options.json === true);
    });
}
