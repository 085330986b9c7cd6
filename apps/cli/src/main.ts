// `weir`: the command line for a Weir server's REST API (/api/v1). main() parses the arguments,
// runs one command and answers its exit code (see errors.ts); bin/weir.js calls it.
import { Command, CommanderError } from "commander";
import { createClient } from "./client";
import type { Client, Page } from "./client";
import { loadConfig, normaliseUrl, resolveServer, saveConfig } from "./config";
import { readCliEnv } from "./env";
import { CliError, EXIT } from "./errors";
import type { ExitCode } from "./errors";
import { addAdminCommands } from "./admin-commands";
import { addFlowCommands } from "./flow-commands";
import { addTriggerCommand } from "./trigger-command";
import { addCompletionCommand } from "./completion";
import { addSqlCommand } from "./sql-command";
import { json, resolveFlow, table } from "./output";
import type { FlowView } from "./output";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

interface DeploymentView {
  id: string;
  version: number;
  desiredState: string;
  actualState: string;
  error: string | null;
  startedAt: string | null;
}

interface NodeStatsView {
  nodeId: string;
  recordsIn: number;
  recordsOut: number;
  errors: number;
  lastError: string | null;
}

interface LogEntry {
  id: number;
  createdAt: string;
  level?: string;
  message?: string;
  record?: unknown;
}

function logLine(e: LogEntry): string {
  return e.level !== undefined
    ? `${e.createdAt} ${e.level} ${e.message ?? ""}`
    : `${e.createdAt} ${JSON.stringify(e.record)}`;
}

/** The stats table; with an earlier frame, records per second in and out since it. */
function statsTable(
  deployment: DeploymentView | null,
  nodes: readonly NodeStatsView[],
  before: readonly NodeStatsView[] | null,
  seconds: number,
): string {
  if (!deployment) return "not deployed\n";
  const rate = (now: number, then: number | undefined): string =>
    then === undefined || seconds <= 0 ? "-" : ((now - then) / seconds).toFixed(1);
  const rows = nodes.map((n) => {
    const old = before?.find((b) => b.nodeId === n.nodeId);
    return [
      n.nodeId,
      String(n.recordsIn),
      String(n.recordsOut),
      rate(n.recordsIn, old?.recordsIn),
      rate(n.recordsOut, old?.recordsOut),
      String(n.errors),
      n.lastError ?? "",
    ];
  });
  return `${deploymentLine(deployment)}\n${table([["NODE", "IN", "OUT", "IN/S", "OUT/S", "ERRORS", "LAST ERROR"], ...rows])}`;
}

function deploymentLine(d: DeploymentView | null): string {
  if (!d) return "not deployed";
  const error = d.error ? ` (error: ${d.error})` : "";
  return `version ${d.version}: desired ${d.desiredState}, actual ${d.actualState}${error}`;
}

/** Builds the program; commands write through `io` and throw CliErrors. */
export function buildProgram(io: Io, env = readCliEnv()): Command {
  const program = new Command("weir")
    .description("Command line for Weir: flows as code, deployments, stats and logs over the REST API")
    .option("--context <name>", "use this context instead of the current one")
    .option("--server <url>", "talk to this server, ignoring contexts")
    .showSuggestionAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  weir context add local --url http://localhost:3000
  weir flows apply -f flows/demo.yaml
  weir deploy demo && weir status demo
  weir flows export demo -o flows/demo.yaml
  weir logs demo out --json

Exit codes: 0 ok, 1 refused by the server, 2 bad usage or bad flow file (nothing sent), 3 server unreachable.
Contexts live in ${env.configFile} (WEIR_CONFIG overrides).`,
    );

  const client = (): Client => {
    const { context: name, server } = program.opts<{ context?: string; server?: string }>();
    const target = resolveServer(loadConfig(env.configFile), { context: name, url: server });
    return createClient(target.url, env.token ?? target.token);
  };

  const context = program.command("context").description("named servers: add, use, list");
  context
    .command("add <name>")
    .description("add (or replace) a context; the first one becomes current")
    .requiredOption("--url <url>", "the server's URL, e.g. http://localhost:3000")
    .option(
      "--token <token>",
      "an API token (weir_…) from the editor's Account page; kept in the config file (mode 0600)",
    )
    .action((name: string, options: { url: string; token?: string }) => {
      const config = loadConfig(env.configFile);
      const url = normaliseUrl(options.url);
      config.contexts[name] = options.token ? { url, token: options.token.trim() } : { url };
      config.current ??= name;
      saveConfig(env.configFile, config);
      io.out(
        `context ${name} → ${config.contexts[name].url}${config.current === name ? " (current)" : ""}\n`,
      );
    });
  context
    .command("use <name>")
    .description("make a context current")
    .action((name: string) => {
      const config = loadConfig(env.configFile);
      if (!config.contexts[name])
        throw new CliError(EXIT.usage, `no context named ${name} (see \`weir context list\`)`);
      config.current = name;
      saveConfig(env.configFile, config);
      io.out(`using context ${name}\n`);
    });
  context
    .command("list")
    .description("list contexts; * marks the current one")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => {
      const config = loadConfig(env.configFile);
      // A token is never printed: only that there is one, and how it starts.
      const shown: Record<string, { url: string; token?: string }> = Object.fromEntries(
        Object.entries(config.contexts).map(([name, c]) => [
          name,
          c.token ? { url: c.url, token: `${c.token.slice(0, 11)}…` } : { url: c.url },
        ]),
      );
      if (options.json) {
        io.out(json({ current: config.current, contexts: shown }));
        return;
      }
      const rows = Object.entries(shown).map(([name, c]) => [
        config.current === name ? "*" : " ",
        name,
        c.url,
        c.token ?? "",
      ]);
      io.out(rows.length === 0 ? "no contexts\n" : table([["", "NAME", "URL", "TOKEN"], ...rows]));
    });

  addFlowCommands(program, client, io);

  program
    .command("deploy <flow>")
    .description("deploy a flow's latest (or given) version")
    .option("--version <n>", "a version number (a rollback)")
    .action(async (ref: string, options: { version?: string }) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      let body: { version?: number } = {};
      if (options.version !== undefined) {
        if (!/^\d+$/.test(options.version))
          throw new CliError(EXIT.usage, `--version must be a number, not ${options.version}`);
        body = { version: Number(options.version) };
      }
      const d = await c.request<DeploymentView>("POST", `/flows/${id}/deployments`, body);
      io.out(`deployed ${deploymentLine(d)}\n`);
    });
  program
    .command("stop <flow>")
    .description("stop a flow's running deployment")
    .action(async (ref: string) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      const d = await c.request<DeploymentView | null>("POST", `/flows/${id}/deployment/stop`, {});
      io.out(`stopped: ${deploymentLine(d)}\n`);
    });
  program
    .command("status <flow>")
    .description("a flow's newest deployment")
    .option("--json", "print JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      const d = await c.request<DeploymentView | null>("GET", `/flows/${id}/deployment`);
      io.out(options.json ? json(d) : `${deploymentLine(d)}\n`);
    });
  program
    .command("stats <flow>")
    .description("per-node records in and out, errors and the last error")
    .option("--json", "print JSON")
    .option("-w, --watch", "redraw every --interval ms with rates since the last frame (Ctrl-C stops)")
    .option("--interval <ms>", "with --watch: how often to ask (ms)", "2000")
    .action(async (ref: string, options: { json?: boolean; watch?: boolean; interval: string }) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      const read = () =>
        c.request<{ deployment: DeploymentView | null; nodes: NodeStatsView[] }>("GET", `/flows/${id}/stats`);
      if (!options.watch) {
        const stats = await read();
        if (options.json) io.out(json(stats));
        else io.out(statsTable(stats.deployment, stats.nodes, null, 0));
        return;
      }
      const interval = Number(options.interval);
      if (!Number.isInteger(interval) || interval < 200) {
        throw new CliError(
          EXIT.usage,
          `--interval must be a whole number of ms, at least 200 (got ${options.interval})`,
        );
      }
      const tty = process.stdout.isTTY;
      let previous: { at: number; nodes: NodeStatsView[] } | null = null;
      for (;;) {
        const stats = await read();
        const at = Date.now();
        const frame = options.json
          ? `${JSON.stringify({ at: new Date(at).toISOString(), ...stats })}\n`
          : `${new Date(at).toISOString()}\n${statsTable(stats.deployment, stats.nodes, previous?.nodes ?? null, (at - (previous?.at ?? at)) / 1000)}\n`;
        io.out(tty && !options.json ? `\x1b[2J\x1b[H${frame}` : frame);
        previous = { at, nodes: stats.nodes };
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    });
  program
    .command("logs <flow> <node>")
    .description("a log sink's records or a function's log lines, oldest first")
    .option("--limit <n>", "at most this many (1-1000)", "100")
    .option("-f, --follow", "keep printing new entries as they arrive (Ctrl-C stops)")
    .option("--interval <ms>", "with --follow: how often to ask (ms)", "1000")
    .option("--json", "print JSON (with --follow: one entry per line)")
    .action(
      async (
        ref: string,
        nodeId: string,
        options: { limit: string; follow?: boolean; interval: string; json?: boolean },
      ) => {
        const c = client();
        const id = await resolveFlow(c, ref);
        const flow = await c.request<FlowView>("GET", `/flows/${id}`);
        const node = flow.spec.nodes.find((n) => n.id === nodeId);
        if (!node)
          throw new CliError(
            EXIT.refused,
            `flow ${flow.name} has no node ${nodeId} (nodes: ${flow.spec.nodes.map((n) => n.id).join(", ")})`,
          );
        const interval = Number(options.interval);
        if (!Number.isInteger(interval) || interval < 100) {
          throw new CliError(
            EXIT.usage,
            `--interval must be a whole number of ms, at least 100 (got ${options.interval})`,
          );
        }
        const path = `/flows/${id}/nodes/${encodeURIComponent(nodeId)}/${node.kind === "function" ? "logs" : "records"}`;
        const read = async (query: string): Promise<LogEntry[]> =>
          (await c.request<Page<LogEntry>>("GET", `${path}?${query}`)).items;
        const print = (entries: readonly LogEntry[]): void => {
          for (const e of entries) io.out(options.json ? `${JSON.stringify(e)}\n` : `${logLine(e)}\n`);
        };
        const first = await read(`limit=${encodeURIComponent(options.limit)}`);
        if (!options.follow) {
          if (options.json) io.out(json(first));
          else print(first);
          return;
        }
        print(first);
        let last = first.at(-1)?.id ?? 0;
        // Tails as the editor's logs panel does: ask for what came after the last id seen.
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, interval));
          const next = await read(`afterId=${last}&limit=1000`);
          print(next);
          last = next.at(-1)?.id ?? last;
        }
      },
    );
  addAdminCommands(program, client, io);
  addTriggerCommand(program, client, io);
  addSqlCommand(
    program,
    (args) => {
      // A statement runs as its own command line with this invocation's --context / --server.
      const { context: name, server } = program.opts<{ context?: string; server?: string }>();
      const global = [...(name ? ["--context", name] : []), ...(server ? ["--server", server] : [])];
      return main([...global, ...args], io);
    },
    io,
  );
  addCompletionCommand(program, io.out);
  return program;
}

/** Runs one command line (without `node weir`) and answers the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; commander has already printed what it had to say.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      io.err(`error: ${error.message}\n`);
      for (const line of error.details) io.err(`  ${line}\n`);
      return error.exitCode;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.refused;
  }
}
