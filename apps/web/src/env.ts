// The web app's environment, checked on first use (not at import, so `next build` needs none of it).
export interface Env {
  /** Postgres holding flows and deployments, e.g. postgresql://weir:weir@localhost:5432/weir */
  DATABASE_URL: string;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= readEnv(process.env);
  return cached;
}

/** Whether this process is `next build` (which runs no server and has no database). */
export function isBuildPhase(source: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return source.NEXT_PHASE === "phase-production-build";
}

/** Whether DATABASE_URL is set at all (the start-up check needs a database to look at). */
export function databaseConfigured(
  source: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return (source.DATABASE_URL?.trim() ?? "") !== "";
}

/** Exported for tests; the app calls env(). */
export function readEnv(source: Readonly<Record<string, string | undefined>>): Env {
  const databaseUrl = source.DATABASE_URL?.trim() ?? "";
  if (databaseUrl === "") {
    throw new Error(
      "DATABASE_URL is not set; point it at Postgres, e.g. postgresql://weir:weir@localhost:5432/weir",
    );
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error("DATABASE_URL must be a postgres:// or postgresql:// URL");
  }
  return { DATABASE_URL: databaseUrl };
}

/** The API's request limits (`@weir/api` HttpLimits); see packages/api/README.md, "Limits". */
export interface ApiLimitsEnv {
  /** WEIR_API_MAX_BODY_BYTES: largest request body of a procedure (default 4 MiB). */
  maxBodyBytes: number;
  /** WEIR_API_MAX_BATCH: calls in one batched request (default 50). */
  maxBatchSize: number;
}

let cachedLimits: ApiLimitsEnv | undefined;

export function apiLimits(): ApiLimitsEnv {
  cachedLimits ??= readApiLimits(process.env);
  return cachedLimits;
}

function positiveInt(
  source: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): number {
  const raw = source[name]?.trim() ?? "";
  if (raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer (got '${raw}')`);
  return value;
}

/** Exported for tests; the app calls apiLimits(). */
export function readApiLimits(source: Readonly<Record<string, string | undefined>>): ApiLimitsEnv {
  return {
    maxBodyBytes: positiveInt(source, "WEIR_API_MAX_BODY_BYTES", 4 * 1024 * 1024),
    maxBatchSize: positiveInt(source, "WEIR_API_MAX_BATCH", 50),
  };
}

/** Host names the web app answers to: loopback always, plus WEIR_ALLOWED_HOSTS (`*` any). */
export function allowedHosts(source: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const extra = (source.WEIR_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== "");
  return ["localhost", "127.0.0.1", "::1", ...extra];
}

/**
 * The installation's keys (see packages/db): WEIR_SECRET_KEY seals secrets at rest (32 random
 * bytes, base64 or hex); WEIR_INTERNAL_KEY is shown to engines to call /trigger. Unset keys stay
 * unset: storing a secret then fails with a message saying so.
 */
export interface KeysEnv {
  secretKey: string | undefined;
  internalKey: string | undefined;
}

export function readKeysEnv(source: Readonly<Record<string, string | undefined>> = process.env): KeysEnv {
  const given = (name: string) => {
    const value = source[name]?.trim() ?? "";
    return value === "" ? undefined : value;
  };
  return { secretKey: given("WEIR_SECRET_KEY"), internalKey: given("WEIR_INTERNAL_KEY") };
}
