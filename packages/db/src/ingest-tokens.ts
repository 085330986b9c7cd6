// The token each non-public `http-ingest` node requires of every POST: made on first use (by the
// engine starting the node, or an editor opening its inspector), stored sealed with
// WEIR_SECRET_KEY (the engine compares against it and the editor shows it, so it cannot be a
// hash), replaced by rotation. Tokens are `wit_` + 32 random bytes, base64url.
import { randomBytes } from "node:crypto";
import type { Db } from "./client";
import { secretBoxOf } from "./installation-keys";

export const ingestContext = (flowId: string, nodeId: string): string => `ingest:${flowId}/${nodeId}`;

function newToken(): string {
  return `wit_${randomBytes(32).toString("base64url")}`;
}

function sealed(db: Db, flowId: string, nodeId: string, token: string): { token: string; keyId: string } {
  const box = secretBoxOf(db);
  return { token: box.seal(token, ingestContext(flowId, nodeId)), keyId: box.keyId };
}

/** The node's current token in plain text, made (and stored) if it has none yet. */
export async function ingestToken(db: Db, flowId: string, nodeId: string): Promise<string> {
  const box = secretBoxOf(db);
  const found = await db.ingestToken.findUnique({ where: { flowId_nodeId: { flowId, nodeId } } });
  if (found) return box.open(found.token, ingestContext(flowId, nodeId));
  // Two makers at once (engine and editor): the first insert wins and both read the winner.
  await db.ingestToken.createMany({
    data: [{ flowId, nodeId, ...sealed(db, flowId, nodeId, newToken()) }],
    skipDuplicates: true,
  });
  const stored = await db.ingestToken.findUniqueOrThrow({ where: { flowId_nodeId: { flowId, nodeId } } });
  return box.open(stored.token, ingestContext(flowId, nodeId));
}

/** Replaces the node's token with a new one and returns it; the old one stops working. */
export async function rotateIngestToken(db: Db, flowId: string, nodeId: string): Promise<string> {
  const token = newToken();
  const data = sealed(db, flowId, nodeId, token);
  await db.ingestToken.upsert({
    where: { flowId_nodeId: { flowId, nodeId } },
    create: { flowId, nodeId, ...data },
    update: data,
  });
  return token;
}
