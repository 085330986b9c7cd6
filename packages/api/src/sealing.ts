// The API's side of secrets at rest (@weir/db sealed-secrets.ts): values are sealed before they
// are written and opened only where the server itself needs them (never for an answer). A
// missing or wrong WEIR_SECRET_KEY is the installation's problem, said as such, without a value.
import { TRPCError } from "@trpc/server";
import type { Db } from "@weir/db";
import { openConnectionSecrets, sealConnectionSecrets, sealSecretValue } from "@weir/db";
import { errorMessage } from "@weir/domain";

function keyProblem<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: errorMessage(error) });
  }
}

export function sealedSecretValue(db: Db, name: string, value: string): { value: string; keyId: string } {
  return keyProblem(() => sealSecretValue(db, name, value));
}

export function sealedConnectionSecrets(
  db: Db,
  name: string,
  secrets: Record<string, unknown>,
): { secrets: string; keyId: string } {
  return keyProblem(() => sealConnectionSecrets(db, name, secrets));
}

/** A stored profile's secret fields in plain JSON, for merging and testing on the server only. */
export function openedConnectionSecrets(
  db: Db,
  row: { name: string; secrets: unknown; keyId: string | null },
): unknown {
  return keyProblem(() => openConnectionSecrets(db, row));
}
