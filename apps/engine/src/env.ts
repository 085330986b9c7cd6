import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required: the Postgres that holds flows and deployments"),
  /** Stable id of this engine; a restarted engine with the same id takes its deployments back at once. */
  WEIR_ENGINE_ID: z.string().min(1).optional(),
  WEIR_ENGINE_HOST: z.string().default("127.0.0.1"),
  /** Port of the ingest HTTP server; 0 picks a free one. */
  WEIR_ENGINE_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** The address other processes use to reach the ingest server, if not http://HOST:PORT. */
  WEIR_ENGINE_PUBLIC_URL: z.url().optional(),
  WEIR_RECONCILE_MS: z.coerce.number().int().min(50).default(500),
  WEIR_LEASE_MS: z.coerce.number().int().min(1000).default(15_000),
  WEIR_QUEUE_CAPACITY: z.coerce.number().int().min(1).default(1000),
  WEIR_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
});

export type EngineEnv = z.infer<typeof schema> & { WEIR_ENGINE_ID: string };

/** Reads and checks the engine's environment once, at start. */
export function readEngineEnv(source: NodeJS.ProcessEnv = process.env): EngineEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid engine environment: ${problems}`);
  }
  return {
    ...parsed.data,
    WEIR_ENGINE_ID:
      parsed.data.WEIR_ENGINE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
  };
}
