// The built editor (`next start`) refuses to start once secrets are stored encrypted and it has no
// WEIR_SECRET_KEY, or another key, saying which; with the right key it starts and serves. The
// check runs in the instrumentation hook (src/instrumentation.ts), before any request.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createDb, generateSecretKey, migrate, SecretBox, sealSecretValue } from "@weir/db";
import { startTestPostgres } from "@weir/testkit";
import type { PostgresHandle } from "@weir/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ephemeralPort } from "@weir/testkit/ports";
import { repoRoot } from "./support/platform";

const webDir = path.join(repoRoot, "apps/web");
const nextBin = path.join(repoRoot, "node_modules/next/dist/bin/next");
const key = generateSecretKey();
let postgres: PostgresHandle;

beforeAll(async () => {
  postgres = await startTestPostgres();
  await migrate(postgres.databaseUrl);
  const db = createDb(postgres.databaseUrl, { secretBox: SecretBox.fromText(key) });
  try {
    await db.secret.create({ data: { name: "STORED", ...sealSecretValue(db, "STORED", "a-stored-value") } });
  } finally {
    await db.$disconnect();
  }
});

afterAll(async () => {
  await postgres.stop();
});

interface WebRun {
  /** The exit code when it exited by itself, or "serving" once /api/health answered 200. */
  outcome: number | null | "serving";
  output: string;
}

/** `next start` with the given WEIR_SECRET_KEY (none when undefined); stopped once it serves. */
async function startWeb(secretKey: string | undefined): Promise<WebRun> {
  const port = await ephemeralPort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: postgres.databaseUrl,
    WEIR_AUTH_SECRET: randomBytes(32).toString("base64url"),
    WEIR_PUBLIC_URL: `http://127.0.0.1:${String(port)}`,
  };
  delete env.WEIR_SECRET_KEY;
  if (secretKey !== undefined) env.WEIR_SECRET_KEY = secretKey;
  const child = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: webDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const code = await Promise.race([
      exited,
      new Promise<"running">((r) =>
        setTimeout(() => {
          r("running");
        }, 250),
      ),
    ]);
    if (code !== "running") return { outcome: code, output };
    const health = await fetch(`http://127.0.0.1:${String(port)}/api/health`).catch(() => undefined);
    if (health?.status === 200) {
      child.kill("SIGTERM");
      await exited;
      return { outcome: "serving", output };
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`next start neither served nor exited within 60 s:\n${output}`);
    }
  }
}

describe("the editor's start with encrypted secrets stored", () => {
  it("refuses without WEIR_SECRET_KEY, refuses another key, and serves with the right one", async () => {
    const keyless = await startWeb(undefined);
    expect(keyless.outcome).toBe(1);
    expect(keyless.output).toContain(
      "weir web: refusing to start: 1 stored secret value(s) are encrypted, but WEIR_SECRET_KEY is not set",
    );

    const other = generateSecretKey();
    const wrong = await startWeb(other);
    expect(wrong.outcome).toBe(1);
    expect(wrong.output).toMatch(
      new RegExp(
        `refusing to start: stored secret values are encrypted with key ${SecretBox.fromText(key).keyId}, but WEIR_SECRET_KEY is key ${SecretBox.fromText(other).keyId}`,
      ),
    );
    expect(wrong.output).not.toContain(other);

    const right = await startWeb(key);
    expect(right.outcome).toBe("serving");
    expect(right.output).not.toContain("refusing to start");
    for (const run of [keyless, wrong, right]) expect(run.output).not.toContain("a-stored-value");
  });
});
