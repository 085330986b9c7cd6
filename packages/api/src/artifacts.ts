// WebAssembly components uploaded for `wasm` function nodes. They are stored by the SHA-256 of
// their bytes, only after the wasm runtime's check accepted them (the Weir world, nothing it
// refuses to provide), so an engine never meets a stored artifact it cannot run.
import { createHash } from "node:crypto";
import type { Db } from "@weir/db";
import { userError } from "@weir/domain";
import { checkArtifact } from "./artifact-check";
import { iso } from "./views";

/** Larger than any real function component (a CPython one is about 20 MB), small enough for one row. */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

export interface ArtifactView {
  sha256: string;
  name: string;
  size: number;
  world: string;
  metadata: unknown;
  createdAt: string;
}

// Every column but the bytes: lists and metadata never load megabytes they do not return.
export const artifactMetadata = {
  sha256: true,
  name: true,
  size: true,
  world: true,
  metadata: true,
  createdAt: true,
} as const;

export function toArtifactView(row: {
  sha256: string;
  name: string;
  size: number;
  world: string;
  metadata: unknown;
  createdAt: Date;
}): ArtifactView {
  return { ...row, createdAt: iso(row.createdAt) };
}

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/**
 * Checks a component and stores it; the same bytes uploaded again are the same artifact
 * (`created: false`), keeping the first upload's name. Anything that is not a valid Weir
 * component is refused with what is wrong and nothing is stored.
 */
export async function uploadArtifact(
  db: Db,
  bytes: Uint8Array,
  name = "",
): Promise<ArtifactView & { created: boolean }> {
  if (bytes.length === 0) throw userError("INVALID_ARTIFACT", "the upload is empty: send a .wasm component");
  if (bytes.length > MAX_ARTIFACT_BYTES) {
    throw userError(
      "INVALID_ARTIFACT",
      `the component is ${bytes.length} bytes; at most ${MAX_ARTIFACT_BYTES} bytes (64 MiB) are accepted`,
    );
  }
  const sha256 = sha256Hex(bytes);
  const existing = await db.wasmArtifact.findUnique({ where: { sha256 }, select: artifactMetadata });
  if (existing) return { ...toArtifactView(existing), created: false };
  const check = await checkArtifact(bytes);
  if (!check.ok) throw userError("INVALID_ARTIFACT", `not a valid Weir component: ${check.message}`);
  const row = await db.wasmArtifact.upsert({
    where: { sha256 },
    create: {
      sha256,
      name,
      bytes: new Uint8Array(bytes),
      size: bytes.length,
      world: check.world,
      metadata: { imports: check.imports, exports: check.exports },
    },
    update: {},
    select: artifactMetadata,
  });
  return { ...toArtifactView(row), created: true };
}
