// Vitest globalSetup: the engine tests run the engine as it ships, bundled to JavaScript
// (scripts/build.mjs, as the production image runs it), not through tsx: a start takes about half
// as long (`npm run bench:engine-start`), and the suite starts engines over a hundred times.
// Built once a run into .weir/test-engine (forked test workers inherit the environment that points
// at it), and again before a watch-mode rerun.
import type { TestProject } from "vitest/node";
import { useEngineBundle } from "./engine-bundle";

export default async function setup(project: TestProject): Promise<void> {
  await useEngineBundle("test-engine");
  project.onTestsRerun(async () => {
    await useEngineBundle("test-engine");
  });
}
