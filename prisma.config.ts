// Prisma CLI configuration. DATABASE_URL is only needed by commands that talk to a database
// (`prisma migrate deploy`); `prisma generate` works without it.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/weir" },
});
