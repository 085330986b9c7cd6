// Commands beyond flows and deployments: rollback, dead letters, secrets, connection profiles
// and artifacts.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import type { Client } from "./client";
import { CliError, EXIT } from "./errors";
import type { Io } from "./main";
import { json, resolveFlow, table } from "./output";

interface DeadLetterView {
  id: number;
  nodeId: string;
  error: string;
  attempts: number;
  createdAt: string;
  replayRequestedAt: string | null;
  replayedAt: string | null;
}

interface ConnectionView {
  name: string;
  kind: string;
  config: unknown;
  secrets: Record<string, { set: boolean }>;
}

const secretsSet = (p: ConnectionView): string =>
  Object.entries(p.secrets)
    .filter(([, v]) => v.set)
    .map(([k]) => k)
    .join(", ");

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function addAdminCommands(program: Command, client: () => Client, io: Io): void {
  program
    .command("rollback <flow> <version>")
    .description("save an earlier version unchanged as the next version (deploy it to run it)")
    .action(async (ref: string, version: string) => {
      if (!/^\d+$/.test(version)) throw new CliError(EXIT.usage, `version must be a number, not ${version}`);
      const c = client();
      const id = await resolveFlow(c, ref);
      const saved = await c.request<{ version: number; rolledBackTo: number }>(
        "POST",
        `/flows/${id}/rollbacks`,
        {
          version: Number(version),
        },
      );
      io.out(
        `saved version ${saved.version} (= version ${saved.rolledBackTo}); run \`weir deploy\` to run it\n`,
      );
    });

  const dlq = program.command("dlq").description("dead letters: list and replay");
  dlq
    .command("list <flow>")
    .option("--node <id>", "only this node's")
    .option("--status <status>", "pending, replay-requested or replayed")
    .option("--json", "print JSON")
    .action(async (ref: string, options: { node?: string; status?: string; json?: boolean }) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      const query = new URLSearchParams();
      if (options.node) query.set("nodeId", options.node);
      if (options.status) query.set("status", options.status);
      const suffix = query.size > 0 ? `?${query.toString()}` : "";
      const letters = await c.list<DeadLetterView>(`/flows/${id}/dead-letters${suffix}`);
      if (options.json) {
        io.out(json(letters));
        return;
      }
      const state = (d: DeadLetterView): string =>
        d.replayedAt ? "replayed" : d.replayRequestedAt ? "replay-requested" : "pending";
      const rows = letters.map((d) => [String(d.id), d.nodeId, String(d.attempts), state(d), d.error]);
      io.out(table([["ID", "NODE", "ATTEMPTS", "STATUS", "ERROR"], ...rows]));
    });
  dlq
    .command("replay <flow> <ids...>")
    .description("send dead letters back into their node")
    .action(async (ref: string, ids: string[]) => {
      const c = client();
      const id = await resolveFlow(c, ref);
      const answer = await c.request<{ requested: number }>("POST", `/flows/${id}/dead-letters/replay`, {
        ids,
      });
      io.out(`replay requested for ${answer.requested} dead letter(s)\n`);
    });

  const secrets = program
    .command("secrets")
    .description("secrets for function nodes (values are write-only)");
  secrets
    .command("set <name>")
    .description("create or replace a secret; the value is read from stdin, never from an argument")
    .action(async (name: string) => {
      const value = (await readStdin()).replace(/\r?\n$/, "");
      if (value === "")
        throw new CliError(
          EXIT.usage,
          'no value on stdin (e.g. `printf %s "$TOKEN" | weir secrets set TOKEN`)',
        );
      await client().request("PUT", `/secrets/${encodeURIComponent(name)}`, { value });
      io.out(`secret ${name} set\n`);
    });
  secrets
    .command("list")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const list = await client().list<{ name: string; updatedAt: string }>("/secrets");
      if (options.json) {
        io.out(json(list));
        return;
      }
      io.out(table([["NAME", "UPDATED"], ...list.map((s) => [s.name, s.updatedAt])]));
    });
  secrets.command("delete <name>").action(async (name: string) => {
    await client().request("DELETE", `/secrets/${encodeURIComponent(name)}`);
    io.out(`secret ${name} deleted\n`);
  });

  const connections = program
    .command("connections")
    .description("connection profiles for sources and sinks (secret fields are write-only)");
  connections
    .command("list")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const list = await client().list<ConnectionView>("/connections");
      if (options.json) {
        io.out(json(list));
        return;
      }
      io.out(table([["NAME", "KIND", "SECRETS SET"], ...list.map((p) => [p.name, p.kind, secretsSet(p)])]));
    });
  connections
    .command("get <name>")
    .option("--json", "print JSON")
    .action(async (name: string, options: { json?: boolean }) => {
      const profile = await client().request<ConnectionView>(
        "GET",
        `/connections/${encodeURIComponent(name)}`,
      );
      io.out(
        options.json
          ? json(profile)
          : `${profile.name} (${profile.kind}) ${JSON.stringify(profile.config)}\n`,
      );
    });
  connections
    .command("set <name>")
    .description("create or replace a profile from a file { kind, config, secrets? } (YAML or JSON)")
    .requiredOption("-f, --file <file>", "the profile; keep secrets in it out of git, or set them later")
    .action(async (name: string, options: { file: string }) => {
      let profile: unknown;
      try {
        profile = parse(readFileSync(options.file, "utf8")) as unknown;
      } catch (error) {
        throw new CliError(EXIT.usage, `${options.file}: ${(error as Error).message.split("\n")[0] ?? ""}`);
      }
      if (typeof profile !== "object" || profile === null || Array.isArray(profile)) {
        throw new CliError(EXIT.usage, `${options.file}: expected { kind, config, secrets? }`);
      }
      const saved = await client().request<ConnectionView>(
        "PUT",
        `/connections/${encodeURIComponent(name)}`,
        profile,
      );
      io.out(`connection ${saved.name} (${saved.kind}) set; secrets set: ${secretsSet(saved) || "none"}\n`);
    });
  connections.command("delete <name>").action(async (name: string) => {
    await client().request("DELETE", `/connections/${encodeURIComponent(name)}`);
    io.out(`connection ${name} deleted\n`);
  });

  const artifacts = program
    .command("artifacts")
    .description("WebAssembly components for wasm function nodes");
  artifacts
    .command("push <file>")
    .description("upload a component (.wasm); prints its sha256, which a node names as config.artifact")
    .option("--name <label>", "a label for it")
    .action(async (file: string, options: { name?: string }) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new CliError(EXIT.usage, `${file}: ${(error as Error).message}`);
      }
      const body = {
        base64: bytes.toString("base64"),
        ...(options.name === undefined ? {} : { name: options.name }),
      };
      const stored = await client().request<{ sha256: string; size: number }>("POST", "/artifacts", body);
      io.out(`${stored.sha256} (${stored.size} bytes)\n`);
    });
  artifacts
    .command("list")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const list = await client().list<{ sha256: string; name: string | null; size: number }>("/artifacts");
      if (options.json) {
        io.out(json(list));
        return;
      }
      io.out(
        table([["SHA256", "NAME", "SIZE"], ...list.map((a) => [a.sha256, a.name ?? "", String(a.size)])]),
      );
    });
}
