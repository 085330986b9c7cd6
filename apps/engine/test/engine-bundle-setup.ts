// Vitest globalSetup: the engine tests run the engine as it ships, bundled to JavaScript
// (scripts/build.mjs, as the production image runs it), not through tsx: a start takes about half
// as long (`npm run bench:engine-start`), and the suite starts engines over a hundred times.
// Built once a run into .weir/test-engine, and again before a watch-mode rerun.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { buildEngine } from "../scripts/build.mjs";
import { ENGINE_BUNDLE_ENV } from "./engine-process";

const outdir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.weir/test-engine");

export default async function setup(project: TestProject): Promise<void> {
  await buildEngine(outdir);
  // Forked test workers inherit the environment of the process that runs this setup.
  process.env[ENGINE_BUNDLE_ENV] = path.join(outdir, "main.js");
  project.onTestsRerun(async () => {
    await buildEngine(outdir);
  });
}
