// The audit log: who did what. Every mutation that passes its role gate is recorded with the
// procedure's name, the flow it touched and the name of what it changed, never any value (a
// secret's value, a password, code): only the fields below are read from the input.
import type { Principal } from "@weir/auth";
import type { Db } from "@weir/db";

export interface AuditEntry {
  action: string;
  principal?: Pick<Principal, "userId" | "email" | "tokenId"> | null;
  flowId?: string | null;
  target?: string | null;
  outcome?: "ok" | "failed" | "refused";
}

const text = (value: unknown): string | null =>
  typeof value === "string" && value.length > 0 ? value.slice(0, 200) : null;

/** The flow a call is about: `flowId`, or `id` on the flow procedures. */
function flowOf(path: string, input: Record<string, unknown>): string | null {
  return text(input.flowId) ?? (path.startsWith("flow.") ? text(input.id) : null);
}

/** A name that says what else a call was about; never a value. */
function targetOf(input: Record<string, unknown>): string | null {
  return (
    text(input.name) ?? text(input.email) ?? text(input.userId) ?? text(input.tokenId) ?? text(input.sha256)
  );
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  try {
    await db.auditEvent.create({
      data: {
        action: entry.action,
        userId: entry.principal?.userId ?? null,
        email: entry.principal?.email ?? null,
        tokenId: entry.principal?.tokenId ?? null,
        flowId: entry.flowId ?? null,
        target: entry.target ?? null,
        outcome: entry.outcome ?? "ok",
      },
    });
  } catch (error) {
    // The action itself has happened; a failed audit write is reported, not turned into a failure.
    console.error(`audit: could not record ${entry.action}:`, error);
  }
}

export async function auditMutation(
  db: Db,
  principal: Principal,
  path: string,
  rawInput: unknown,
  ok: boolean,
): Promise<void> {
  const input =
    rawInput !== null && typeof rawInput === "object" ? (rawInput as Record<string, unknown>) : {};
  await recordAudit(db, {
    action: path,
    principal,
    flowId: flowOf(path, input),
    target: targetOf(input),
    outcome: ok ? "ok" : "failed",
  });
}

/** A successful sign-in (better-auth's session hook calls this through the web app). */
export async function recordSignIn(db: Db, user: { id: string; email: string }): Promise<void> {
  await recordAudit(db, {
    action: "auth.sign-in",
    principal: { userId: user.id, email: user.email },
    target: user.email,
  });
}
