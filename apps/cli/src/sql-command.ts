// `weir sql`: a shell of Function Stream's statements for flows (see sql.ts). Each statement runs
// as the `weir` command it stands for (CREATE FLOW → flows apply -f, START → deploy, …).
// From a pipe or -f FILE the whole script is parsed first: a statement it does not understand
// refuses the script (exit 2, nothing run); then statements run in order and the first one that
// fails stops the script with its exit code. On a terminal each statement runs when its `;` is
// typed, and a failure is reported and the shell goes on.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { CliError, EXIT } from "./errors";
import type { ExitCode } from "./errors";
import type { Io } from "./main";
import { SqlSyntaxError, endsStatement, parseSql, statementArgs } from "./sql";
import type { SqlStatement } from "./sql";

/** Runs one `weir` command line (with this invocation's --context/--server) and answers its exit code. */
export type RunCommand = (args: readonly string[]) => Promise<ExitCode>;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseOrRefuse(source: string, origin: string): SqlStatement[] {
  try {
    return parseSql(source);
  } catch (error) {
    if (error instanceof SqlSyntaxError)
      throw new CliError(EXIT.usage, `${origin}:${error.message}; nothing was run`);
    throw error;
  }
}

async function interactive(run: RunCommand, io: Io): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: "weir> " });
  let buffer = "";
  rl.prompt();
  for await (const line of rl) {
    buffer += `${line}\n`;
    if (!endsStatement(buffer)) {
      rl.setPrompt(buffer.trim() === "" ? "weir> " : "  ... ");
      rl.prompt();
      continue;
    }
    try {
      for (const statement of parseSql(buffer)) await run(statementArgs(statement));
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      io.err(`error: ${error.message}\n`);
    }
    buffer = "";
    rl.setPrompt("weir> ");
    rl.prompt();
  }
}

export function addSqlCommand(program: Command, run: RunCommand, io: Io): void {
  program
    .command("sql")
    .description("Function Stream's statements for flows, from a terminal, a pipe or -f FILE")
    .option("-f, --file <file>", "run the statements in this file")
    .addHelpText(
      "after",
      `
Statements (keywords in any case, each ending with ;  -- starts a comment):
  CREATE FLOW WITH ('path'='flows/demo.yaml');   same as: weir flows apply -f flows/demo.yaml
  SHOW FLOWS;                                    weir flows list
  START FLOW demo;                               weir deploy demo
  STOP FLOW demo;                                weir stop demo
  DROP FLOW demo;                                weir flows delete demo
A name may be quoted: START FLOW 'my flow';

A script (pipe or -f) is parsed first: a statement not understood runs nothing (exit 2, with its
line and column); the first statement that fails stops the script with its exit code.
Example:
  printf "CREATE FLOW WITH ('path'='demo.yaml'); START FLOW demo;" | weir sql`,
    )
    .action(async (options: { file?: string }) => {
      if (options.file === undefined && process.stdin.isTTY) {
        await interactive(run, io);
        return;
      }
      let source: string;
      if (options.file !== undefined) {
        try {
          source = readFileSync(options.file, "utf8");
        } catch (error) {
          throw new CliError(EXIT.usage, `cannot read ${options.file}: ${(error as Error).message}`);
        }
      } else {
        source = await readStdin();
      }
      const statements = parseOrRefuse(source, options.file ?? "<stdin>");
      for (const statement of statements) {
        const code = await run(statementArgs(statement));
        if (code !== EXIT.ok) {
          throw new CliError(
            code,
            `statement on line ${statement.line} failed; the script stopped (${statements.length - statements.indexOf(statement) - 1} statement(s) not run)`,
          );
        }
      }
    });
}
