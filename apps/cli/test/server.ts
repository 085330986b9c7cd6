// A real HTTP server on a loopback port serving the API's REST handler against a test database,
// and the `weir` binary run as a child process against it.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { handleRestRequest } from "@weir/api";
import { authenticate, createAuth, createToken, createUser } from "@weir/auth";
import type { Db } from "@weir/db";

export const BIN = fileURLToPath(new URL("../bin/weir.js", import.meta.url));

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  return new Request(new URL(req.url ?? "/", origin), { method: req.method, headers, body });
}

export interface RunningServer {
  url: string;
  /** An admin API token of this server's database, for WEIR_TOKEN. */
  token: string;
  close(): Promise<void>;
}

/** Serves /api/v1 (the web app's mount) on 127.0.0.1 at a free port. */
export async function startServer(db: Db): Promise<RunningServer> {
  let origin = "";
  const auth = createAuth({
    db,
    secret: "cli-test-secret-long-enough-for-better-auth",
    baseURL: "http://127.0.0.1",
  });
  const email = `cli-${Math.random().toString(36).slice(2)}@test.invalid`;
  const admin = await createUser(auth, { email, password: "cli admin password", role: "admin" });
  const { token } = await createToken(db, {
    name: "cli tests",
    role: "admin",
    userId: admin.id,
    createdBy: admin.id,
  });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const answer = await handleRestRequest(await toRequest(req, origin), {
        db,
        authenticate: (request) => authenticate(auth, db, request.headers),
      });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `weir ...args` as its own process (asynchronously: the server answers from this one). */
export function weir(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, cwd, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
