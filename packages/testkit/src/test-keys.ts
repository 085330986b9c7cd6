// The installation keys of a test run (fresh for each test file's process): databases opened with
// useTestDatabase carry them, and engines and web servers a test starts get them in their
// environment, so every part of a test installation agrees on them.
import { SecretBox, generateSecretKey } from "@weir/db";
import type { InstallationKeys } from "@weir/db";
import { randomBytes } from "node:crypto";

export const TEST_SECRET_KEY = generateSecretKey();
export const TEST_INTERNAL_KEY = randomBytes(32).toString("base64url");

/** What a test starts an engine or the web app with. */
export const testKeyEnv: Readonly<Record<string, string>> = {
  WEIR_SECRET_KEY: TEST_SECRET_KEY,
  WEIR_INTERNAL_KEY: TEST_INTERNAL_KEY,
};

export function testInstallationKeys(): InstallationKeys {
  return { secretBox: SecretBox.fromText(TEST_SECRET_KEY), internalKey: TEST_INTERNAL_KEY };
}
