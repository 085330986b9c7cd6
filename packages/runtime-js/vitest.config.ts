import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // isolated-vm: isolates next to Node's startup snapshot can crash the process.
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
    testTimeout: 20_000,
  },
});
