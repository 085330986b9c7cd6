import type { Db } from "@weir/db";

/** How many components stay in memory; each is a few MB (Go) to about 20 MB (CPython). */
const KEPT = 8;

/**
 * The bytes of uploaded WebAssembly components, by sha256. Artifacts never change, so the last
 * few loaded stay in memory: recreating an instance after a trap, or every instance of a node,
 * does not read megabytes from Postgres again.
 */
export class ArtifactStore {
  private readonly kept = new Map<string, Uint8Array>();

  constructor(private readonly db: Db) {}

  async load(sha256: string): Promise<Uint8Array> {
    const kept = this.kept.get(sha256);
    if (kept) {
      // Most recently used last, so the oldest is the first key.
      this.kept.delete(sha256);
      this.kept.set(sha256, kept);
      return kept;
    }
    const row = await this.db.wasmArtifact.findUnique({ where: { sha256 }, select: { bytes: true } });
    if (!row) throw new Error(`artifact ${sha256} not found (upload it with artifacts.upload)`);
    const bytes = new Uint8Array(row.bytes);
    this.kept.set(sha256, bytes);
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= KEPT) break;
      this.kept.delete(oldest);
    }
    return bytes;
  }
}
