import { defineConfig } from "vitest/config";

// Opt-in: Weir's registry client against a real Apicurio Registry (scripts/apicurio.sh). Not in
// `npm test` because the registry's build needs modules Maven Central does not serve
// (scripts/apicurio/README.md); run it where they are in the local Maven repository.
export default defineConfig({
  test: {
    include: ["src/**/*.registry-test.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
