// Decodes registry-framed values. `prepare` fetches the schemas a batch names (once per id), so
// `decodeSync` never waits on the network and a Kafka batch decodes in one pass.
import { RegistryError } from "./client";
import type { RegistryClient } from "./client";
import { payloadCodec, resolveReferences } from "./codec";
import type { PayloadCodec } from "./codec";
import type { JsonValue } from "./json";
import { errorText } from "./errors";
import { WireFormatError, unframe } from "./wire";

export type DecodeResult = { ok: true; value: JsonValue; schemaId: number } | { ok: false; error: string };

/** `decodeSync` met a schema id `prepare` had not fetched; it is being fetched: retry the batch. */
export class SchemaNotFetchedError extends Error {
  override name = "SchemaNotFetchedError";
  constructor(readonly schemaId: number) {
    super(`schema id ${String(schemaId)} is being fetched from the registry; retry the batch`);
  }
}

type Entry = { codec: PayloadCodec } | { error: string };

export class RegistryDecoder {
  private readonly codecs = new Map<number, Entry>();

  constructor(private readonly client: RegistryClient) {}

  /**
   * Fetches the schemas of these values that are not known yet. An id the registry does not have
   * (404) or a schema that does not parse is remembered as the reason its records fail; any other
   * failure (registry down, 5xx) throws, so the caller retries instead of dead-lettering.
   */
  async prepare(values: Iterable<Buffer | null>): Promise<void> {
    const missing = new Set<number>();
    for (const value of values) {
      if (value === null || value.length < 5 || value[0] !== 0) continue;
      const id = value.readUInt32BE(1);
      if (!this.codecs.has(id)) missing.add(id);
    }
    await Promise.all([...missing].map((id) => this.load(id)));
  }

  /** Throws SchemaNotFetchedError for an id `prepare` did not see (and starts fetching it). */
  decodeSync(bytes: Buffer): DecodeResult {
    let schemaId: number;
    let payload: Buffer;
    try {
      ({ schemaId, payload } = unframe(bytes));
    } catch (error) {
      return { ok: false, error: errorText(error) };
    }
    const entry = this.codecs.get(schemaId);
    if (!entry) {
      // Never a reason to dead-letter: fetch it now and let the caller retry the batch.
      this.load(schemaId).catch(() => undefined);
      throw new SchemaNotFetchedError(schemaId);
    }
    if ("error" in entry) return { ok: false, error: entry.error };
    try {
      return { ok: true, value: entry.codec.decode(payload), schemaId };
    } catch (error) {
      return {
        ok: false,
        error: `payload does not decode with schema id ${String(schemaId)}: ${errorText(error)}`,
      };
    }
  }

  async decode(bytes: Buffer): Promise<DecodeResult> {
    await this.prepare([bytes]);
    return this.decodeSync(bytes);
  }

  private async load(id: number): Promise<void> {
    try {
      const schema = await this.client.schemaById(id);
      const references = await resolveReferences(this.client, schema.references);
      this.codecs.set(id, { codec: payloadCodec(schema, references) });
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404)
        this.codecs.set(id, { error: `schema id ${String(id)} is not in the registry (${error.message})` });
      else if (error instanceof RegistryError || error instanceof WireFormatError) throw error;
      else this.codecs.set(id, { error: `schema id ${String(id)} cannot be used: ${errorText(error)}` });
    }
  }
}
