// Runs once when the server starts (Next.js instrumentation hook), before it serves anything:
// the web app refuses to start without WEIR_SECRET_KEY (or with another key) once secrets are
// stored encrypted, and seals secrets stored before encryption (packages/db sealed-secrets.ts).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkSecretStore } = await import("./server/secret-store-check");
    await checkSecretStore();
    // Headless installs (compose) name their first admin in WEIR_ADMIN_EMAIL/WEIR_ADMIN_PASSWORD.
    const { seedAdminFromEnv } = await import("./server/auth");
    await seedAdminFromEnv();
  }
}
