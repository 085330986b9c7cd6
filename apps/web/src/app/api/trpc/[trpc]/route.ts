// Mounts the Weir API at /api/trpc: queries by GET (?input=<json>), mutations by POST (JSON body).
// Body size and batch length are limited before tRPC reads anything (WEIR_API_MAX_BODY_BYTES,
// WEIR_API_MAX_BATCH; see packages/api/README.md, "Limits").
import { handleApiRequest } from "@weir/api";
import { apiLimits } from "~/env";
import { authenticate, getAuth } from "~/server/auth";
import { getDb } from "~/server/db";

function handler(req: Request): Promise<Response> {
  return handleApiRequest(req, {
    db: getDb(),
    authenticate,
    auth: getAuth(),
    limits: apiLimits(),
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`tRPC ${path ?? "(no path)"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
