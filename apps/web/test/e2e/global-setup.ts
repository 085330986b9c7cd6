// One platform (embedded Postgres, engine, built editor) for every browser test, started once
// before the first e2e file and stopped after the last. Its output lands in
// test-artifacts/platform.log, to read when a browser test fails.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePorts, startPlatform } from "../support/platform";
import { E2E_ADMIN, signedInState } from "./sign-in";
import { ARTIFACTS_DIR } from "./artifacts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The editor's base URL, e.g. http://127.0.0.1:41234. */
    weirUrl: string;
    /** The admin API token `npm start` wrote, for the calls a test makes besides the page. */
    weirToken: string;
    /** A signed-in admin's cookies (Playwright storage state), so each test starts signed in. */
    weirStorageState: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "weir-e2e-"));
  // As root, Postgres runs as the "postgres" user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const ports = await freePorts();
  const platform = await startPlatform({ dataDir, ports });
  const url = `http://127.0.0.1:${String(ports.web)}`;
  project.provide("weirUrl", url);
  project.provide("weirToken", platform.token());
  // The first admin, made through the setup procedure the setup page calls (the setup page itself
  // is walked through by auth.e2e.test.ts on a platform of its own), then one sign-in for all.
  const setup = await fetch(`${url}/api/trpc/account.setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(E2E_ADMIN),
  });
  if (!setup.ok) throw new Error(`account.setup: ${setup.status} ${await setup.text()}`);
  const statePath = path.join(dataDir, "e2e-storage-state.json");
  await writeFile(statePath, JSON.stringify(await signedInState(url, E2E_ADMIN)));
  project.provide("weirStorageState", statePath);
  return async () => {
    const code = await platform.stop();
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await writeFile(
      path.join(ARTIFACTS_DIR, "platform.log"),
      `${platform.output()}\n[exit code ${String(code)}]\n`,
    );
    await rm(dataDir, { recursive: true, force: true });
  };
}
