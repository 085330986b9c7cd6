// The function contract's TypeScript declarations, read from @weir/function-contract at request time
// and handed to Monaco in the browser. Resolved the way Node resolves packages from the app's
// folder (the bundler would otherwise rewrite `import.meta.url`, which the package's own
// `contractDeclarations()` relies on, into something that is not a file).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

let cached: string | undefined;

export function contractDeclarations(): string {
  if (cached === undefined) {
    const resolve = createRequire(path.join(process.cwd(), "package.json")).resolve;
    cached = readFileSync(resolve("@weir/function-contract/contract.d.ts"), "utf8");
  }
  return cached;
}
