// `weir flows …`: list, get, apply (flows as code, idempotent), diff, schema, export, delete.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { ApiError } from "./client";
import type { Client } from "./client";
import { CliError, EXIT } from "./errors";
import { canonical, diffSpecs } from "./flow-diff";
import { formatFlowFile, formatForPath, loadFlowFile, withCodeFiles } from "./flow-file";
import { flowFileJsonSchema } from "./flow-schema";
import { unifiedDiff } from "./line-diff";
import type { Io } from "./main";
import { json, resolveFlow, table } from "./output";
import type { FlowSummary, FlowView } from "./output";

export function addFlowCommands(program: Command, client: () => Client, io: Io): void {
  const flows = program.command("flows").description("list, get, apply, export and delete flows");
  flows
    .command("list")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const list = await client().list<FlowSummary>("/flows");
      if (options.json) {
        io.out(json(list));
        return;
      }
      const rows = list.map((f) => [
        f.id,
        f.name,
        String(f.latestVersion),
        f.deployment ? `${f.deployment.actualState} (v${f.deployment.version})` : "-",
      ]);
      io.out(table([["ID", "NAME", "VERSION", "DEPLOYMENT"], ...rows]));
    });
  flows
    .command("get <flow>")
    .description("a flow (id or name) and its latest or given version")
    .option("--version <n>", "a version number")
    .option("--json", "print JSON")
    .action(async (ref: string, options: { version?: string; json?: boolean }) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      const suffix = options.version ? `/versions/${encodeURIComponent(options.version)}` : "";
      const flow = await c.request<FlowView>("GET", `/flows/${id}${suffix}`);
      if (options.json) {
        io.out(json(flow));
        return;
      }
      io.out(`${flow.name} (${flow.id}) version ${flow.version} of ${flow.latestVersion}\n`);
      io.out(table([["NODE", "KIND", "TYPE"], ...flow.spec.nodes.map((n) => [n.id, n.kind, n.type])]));
    });
  flows
    .command("apply")
    .description("create or update the flow a file describes; no new version when nothing changed")
    .requiredOption("-f, --file <file>", "a flow file (.yaml, .yml or .json)")
    .option("--json", "print the outcome as JSON")
    .action(async (options: { file: string; json?: boolean }) => {
      const loaded = loadFlowFile(options.file);
      const c = client();
      const send = async <T>(method: "POST", path: string, body: unknown): Promise<T> => {
        try {
          return await c.request<T>(method, path, body);
        } catch (error) {
          // The server's problems point into what was sent, which is this file.
          if (error instanceof ApiError && error.problems.length > 0) {
            throw new CliError(
              error.exitCode,
              error.message,
              error.problems.map(
                (p) =>
                  `${loaded.locate(p.path)}: ${p.message}${p.line !== undefined ? ` (code line ${p.line}, column ${p.column ?? 0})` : ""}`,
              ),
            );
          }
          throw error;
        }
      };
      const list = await c.list<FlowSummary>("/flows");
      const named = list.filter((f) => f.name === loaded.spec.name);
      if (named.length > 1)
        throw new CliError(EXIT.refused, `${named.length} flows are named ${loaded.spec.name}; rename one`);
      const existing = named[0];
      let outcome: {
        id: string;
        name: string;
        version: number;
        action: "created" | "updated" | "unchanged";
        changes: string[];
      };
      if (!existing) {
        const created = await send<{ id: string; version: number }>("POST", "/flows", loaded.spec);
        outcome = {
          id: created.id,
          name: loaded.spec.name,
          version: created.version,
          action: "created",
          changes: [],
        };
      } else {
        const current = await c.request<FlowView>("GET", `/flows/${existing.id}`);
        const changes = diffSpecs(current.spec, loaded.spec);
        if (changes.length === 0 && canonical(current.spec) === canonical(loaded.spec)) {
          outcome = {
            id: current.id,
            name: current.name,
            version: current.version,
            action: "unchanged",
            changes,
          };
        } else {
          const saved = await send<{ version: number }>("POST", `/flows/${existing.id}/versions`, {
            spec: loaded.spec,
            message: `applied from ${options.file}`.slice(0, 500),
          });
          outcome = {
            id: current.id,
            name: loaded.spec.name,
            version: saved.version,
            action: "updated",
            changes,
          };
        }
      }
      if (options.json) {
        io.out(json(outcome));
        return;
      }
      io.out(`flow ${outcome.name} (${outcome.id}) ${outcome.action}: version ${outcome.version}\n`);
      for (const line of outcome.changes) io.out(`  ${line}\n`);
    });
  flows
    .command("diff")
    .description("what `apply -f FILE` would change, without changing it")
    .requiredOption("-f, --file <file>", "a flow file (.yaml, .yml or .json)")
    .action(async (options: { file: string }) => {
      const loaded = loadFlowFile(options.file);
      const c = client();
      const named = (await c.list<FlowSummary>("/flows")).filter((f) => f.name === loaded.spec.name);
      const existing = named[0];
      if (!existing) {
        io.out(`flow ${loaded.spec.name} does not exist yet: apply would create it\n`);
        return;
      }
      const current = await c.request<FlowView>("GET", `/flows/${existing.id}`);
      const changes = diffSpecs(current.spec, loaded.spec);
      if (changes.length === 0) io.out(`flow ${current.name} is up to date (version ${current.version})\n`);
      for (const line of changes) io.out(`${line}\n`);
      for (const node of loaded.spec.nodes) {
        const before = current.spec.nodes.find((n) => n.id === node.id)?.config.code;
        const after = node.config.code;
        if (typeof before !== "string" || typeof after !== "string" || before === after) continue;
        io.out(`--- ${node.id} code (version ${current.version})\n+++ ${node.id} code (${options.file})\n`);
        for (const line of unifiedDiff(before, after)) io.out(`${line}\n`);
      }
    });
  flows
    .command("schema")
    .description("print the JSON Schema of a flow file (the published one is apps/cli/flow.schema.json)")
    .action(() => {
      io.out(json(flowFileJsonSchema()));
    });
  flows
    .command("export <flow>")
    .description("write a flow (id or name) as a flow file; apply of it changes nothing")
    .option("-o, --output <file>", "write here (YAML, or JSON for .json) instead of stdout")
    .addOption(new Option("--format <format>", "format on stdout").choices(["yaml", "json"]).default("yaml"))
    .option("--code-dir <dir>", "with -o: write each function's code to <dir>/<node>.ts and refer to it")
    .option("--version <n>", "a version number")
    .action(
      async (
        ref: string,
        options: { output?: string; format: "yaml" | "json"; codeDir?: string; version?: string },
      ) => {
        const c = client();
        const id = await resolveFlow(c, ref);
        const suffix = options.version ? `/versions/${encodeURIComponent(options.version)}` : "";
        const flow = await c.request<FlowView>("GET", `/flows/${id}${suffix}`);
        if (options.codeDir !== undefined && !options.output) {
          throw new CliError(
            EXIT.usage,
            "--code-dir needs -o FILE (code files are referred to relative to it)",
          );
        }
        const written: string[] = [];
        const spec =
          options.codeDir !== undefined && options.output
            ? withCodeFiles(flow.spec, options.output, options.codeDir, written)
            : flow.spec;
        const text = formatFlowFile(spec, options.output ? formatForPath(options.output) : options.format);
        if (!options.output) {
          io.out(text);
          return;
        }
        mkdirSync(dirname(options.output), { recursive: true });
        writeFileSync(options.output, text);
        const also = written.length > 0 ? ` (code: ${written.join(", ")})` : "";
        io.out(`wrote ${flow.name} version ${flow.version} to ${options.output}${also}\n`);
      },
    );
  flows
    .command("delete <flow>")
    .description("delete a flow (id or name) with its versions, deployments, logs and dead letters")
    .action(async (ref: string) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      await c.request("DELETE", `/flows/${id}`);
      io.out(`deleted flow ${id}\n`);
    });
}
