// Shared pieces of the commands: plain tables, JSON output and finding a flow by id or name.
import type { FlowSpec } from "@weir/domain";
import type { Client } from "./client";
import { CliError, EXIT } from "./errors";

export interface FlowSummary {
  id: string;
  name: string;
  latestVersion: number;
  updatedAt: string;
  deployment: { version: number; desiredState: string; actualState: string; error: string | null } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** A flow by id, or by name when exactly one flow has it. */
export async function resolveFlow(client: Client, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const flows = await client.list<FlowSummary>("/flows");
  const named = flows.filter((f) => f.name === ref);
  if (named.length === 1 && named[0]) return named[0].id;
  if (named.length === 0) throw new CliError(EXIT.refused, `no flow named ${ref}`);
  throw new CliError(EXIT.refused, `${named.length} flows are named ${ref}; give an id instead`);
}

/** A flow as `GET /flows/{id}` answers it. */
export interface FlowView {
  id: string;
  name: string;
  version: number;
  latestVersion: number;
  spec: FlowSpec;
}
