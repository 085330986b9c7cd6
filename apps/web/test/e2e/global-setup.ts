// One platform (embedded Postgres, engine, built editor) for every browser test, started once
// before the first e2e file and stopped after the last. Its output lands in
// test-artifacts/platform.log, to read when a browser test fails.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePorts, startPlatform } from "../support/platform";
import { ARTIFACTS_DIR } from "./artifacts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The editor's base URL, e.g. http://127.0.0.1:41234. */
    weirUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "weir-e2e-"));
  // As root, Postgres runs as the "postgres" user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const ports = await freePorts();
  const platform = await startPlatform({ dataDir, ports });
  project.provide("weirUrl", `http://127.0.0.1:${String(ports.web)}`);
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
