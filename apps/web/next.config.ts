import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// The production image (apps/web/Dockerfile) builds with WEIR_NEXT_STANDALONE=1: a self-contained
// server.js with only the files it needs, traced from the repository root (workspace packages).
// `npm start` runs `next start` on a normal build.
const standalone = process.env.WEIR_NEXT_STANDALONE === "1";

const config: NextConfig = {
  ...(standalone
    ? {
        output: "standalone" as const,
        outputFileTracingRoot: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."),
      }
    : {}),
  // Internal packages ship TypeScript source (their "exports" point at src/*.ts).
  // (@weir/function-contract: the API compiles code on save and inspects uploaded components,
  // never runs them; @weir/runtime-python/check: CPython parses Python at save, nothing more. No
  // function runtime is part of the web app.)
  transpilePackages: [
    "@weir/api",
    "@weir/auth",
    "@weir/connectors",
    "@weir/db",
    "@weir/domain",
    "@weir/function-contract",
    "@weir/runtime-python",
  ],
  // Loaded by Node at run time rather than bundled: the Prisma runtime, the Postgres driver and the
  // TypeScript compiler (9 MB of JavaScript that bundling would only slow down), and jco, which
  // loads its wasm-tools build from files beside its own modules.
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "typescript",
    "@bytecodealliance/jco",
    // The connectors' Kafka client choice (via the API) reaches it; its crc32 is a native addon,
    // which Turbopack cannot bundle, so it is loaded from node_modules at run time.
    "@platformatic/kafka",
  ],
  typedRoutes: false,
};

export default config;
