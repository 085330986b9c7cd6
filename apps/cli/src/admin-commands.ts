// Commands beyond flows and deployments: rollback, dead letters and secrets.
import type { Command } from "commander";
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
      const letters = await c.request<DeadLetterView[]>("GET", `/flows/${id}/dead-letters${suffix}`);
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
      const list = await client().request<{ name: string; updatedAt: string }[]>("GET", "/secrets");
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
}
