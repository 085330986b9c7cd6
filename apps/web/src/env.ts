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
