// Drives one docker compose project of the repository's own docker-compose.yml, on images built
// from the repository's Dockerfiles over stand-in base images (standin/build.sh).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, streaming nothing; the caller decides what to show. */
/** The first admin compose creates from WEIR_ADMIN_EMAIL / WEIR_ADMIN_PASSWORD. */
export const STACK_ADMIN = { email: "admin@compose.test", password: "compose admin password" } as const;

export function run(
  command: string,
  args: readonly string[],
  input?: string,
  env?: Record<string, string>,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ["pipe", "pipe", "pipe"],
      env: env ? { ...process.env, ...env } : process.env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input ?? "");
  });
}

export class Stack {
  readonly envFile: string;

  constructor(
    readonly project: string,
    readonly webPort: number,
    images: Record<string, string>,
    /** Compose files, as `-f` takes them; the repository's own file by default. */
    private readonly files: readonly string[] = ["docker-compose.yml"],
    /** Prefix of the Weir image names (`<prefix>-engine:test`), so two stacks can share images. */
    imagePrefix = project,
  ) {
    const dir = path.join(root, ".weir/compose-test");
    mkdirSync(dir, { recursive: true });
    this.envFile = path.join(dir, `${project}.env`);
    const vars = {
      ...images,
      POSTGRES_PASSWORD: "compose-test-password",
      // Fresh per stack; kept in the env file, so a `down` and `up` again opens what was stored.
      WEIR_SECRET_KEY: randomBytes(32).toString("base64"),
      WEIR_INTERNAL_KEY: randomBytes(32).toString("base64url"),
      WEIR_AUTH_SECRET: randomBytes(32).toString("base64url"),
      WEIR_ADMIN_EMAIL: STACK_ADMIN.email,
      WEIR_ADMIN_PASSWORD: STACK_ADMIN.password,
      WEIR_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
      WEIR_WEB_PORT: String(webPort),
      WEIR_ENGINE_IMAGE: `${imagePrefix}-engine:test`,
      WEIR_WEB_IMAGE: `${imagePrefix}-web:test`,
    };
    writeFileSync(
      this.envFile,
      Object.entries(vars)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n") + "\n",
    );
  }

  private composeArgs(): string[] {
    return [
      "compose",
      "-p",
      this.project,
      "--env-file",
      this.envFile,
      ...this.files.flatMap((f) => ["-f", f]),
    ];
  }

  /** `docker compose …` for this project; throws with its output when it fails. */
  async compose(...args: string[]): Promise<string> {
    const result = await run("docker", [...this.composeArgs(), ...args]);
    if (result.code !== 0) {
      throw new Error(
        `docker compose ${args.join(" ")} exited ${result.code}:\n${result.stderr.slice(-4000)}`,
      );
    }
    return result.stdout;
  }

  get url(): string {
    return `http://127.0.0.1:${this.webPort}`;
  }

  private apiToken: string | undefined;

  /**
   * An admin API token, made as a person would: sign in as the admin compose seeded from
   * WEIR_ADMIN_EMAIL/WEIR_ADMIN_PASSWORD, then create a token with that session.
   */
  async token(): Promise<string> {
    if (this.apiToken) return this.apiToken;
    const origin = this.url;
    const signIn = await fetch(`${origin}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify(STACK_ADMIN),
    });
    if (!signIn.ok) throw new Error(`sign-in as the seeded admin: ${signIn.status} ${await signIn.text()}`);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const made = await fetch(`${origin}/api/trpc/tokens.create`, {
      method: "POST",
      headers: { "content-type": "application/json", origin, cookie },
      body: JSON.stringify({ name: "compose test", role: "admin" }),
    });
    const body = (await made.json()) as { result?: { data: { token: string } } };
    if (!body.result) throw new Error(`tokens.create: ${made.status} ${JSON.stringify(body)}`);
    this.apiToken = body.result.data.token;
    return this.apiToken;
  }

  async call<T>(procedure: string, input: unknown, method: "GET" | "POST" = "POST"): Promise<T> {
    const url = new URL(`${this.url}/api/trpc/${procedure}`);
    const init: RequestInit = {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${await this.token()}` },
    };
    if (method === "GET") url.searchParams.set("input", JSON.stringify(input));
    else init.body = JSON.stringify(input);
    const response = await fetch(url, init);
    const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
    if (!body.result)
      throw new Error(`${procedure}: ${response.status} ${body.error?.message ?? "no result"}`);
    return body.result.data;
  }

  /** GETs a URL from inside the stack's network (from the web container); answers the body. */
  async fetchInside(url: string): Promise<string> {
    const script = `fetch(${JSON.stringify(url)}).then(async (r) => { if (!r.ok) process.exit(1); process.stdout.write(await r.text()); }, () => process.exit(2))`;
    const result = await run("docker", [...this.composeArgs(), "exec", "-T", "web", "node", "-e", script]);
    if (result.code !== 0) throw new Error(`GET ${url} from inside the stack failed (${result.code})`);
    return result.stdout;
  }

  /**
   * POSTs records to an http-ingest node from inside the stack's network (engines publish no
   * port), through whichever engine runs the node; answers the engine that took them.
   */
  async ingest(flowId: string, nodeId: string, records: unknown[]): Promise<string> {
    const failures: string[] = [];
    for (const engine of ["engine-1", "engine-2"]) {
      const script = `fetch("http://${engine}:4100/ingest/${flowId}/${nodeId}", { method: "POST", headers: { "content-type": "application/json" }, body: require("fs").readFileSync(0, "utf8") }).then(async (r) => { process.stdout.write(r.status + " " + (await r.text())); }, (e) => { process.stdout.write("000 " + e.message); })`;
      const result = await run(
        "docker",
        [...this.composeArgs(), "exec", "-T", "web", "node", "-e", script],
        JSON.stringify(records),
      );
      if (result.stdout.startsWith("200 ")) return engine;
      failures.push(`${engine}: ${result.stdout || result.stderr}`.slice(0, 300));
    }
    throw new Error(`no engine took the records: ${failures.join("; ")}`);
  }
}

/** Polls `check` until it returns a value, or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  progress?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : JSON.stringify(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${progress ? `: ${progress()}` : ""}${last ? ` (last error: ${last})` : ""}`,
  );
}

/** A free TCP port on loopback (asked of the kernel, then released). */
export function freePort(): number {
  const result = spawnSync(process.execPath, [
    "-e",
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();})",
  ]);
  return Number(result.stdout.toString());
}
