import type { NextConfig } from "next";

const config: NextConfig = {
  // Internal packages ship TypeScript source (their "exports" point at src/*.ts).
  transpilePackages: ["@weir/api", "@weir/connectors", "@weir/db", "@weir/domain"],
  // Loaded by Node at run time rather than bundled: the Prisma runtime and the Postgres driver.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg"],
  typedRoutes: false,
};

export default config;
