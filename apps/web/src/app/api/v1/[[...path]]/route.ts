// Mounts the REST face of the Weir API at /api/v1 (OpenAPI document: /api/v1/openapi.json). Every
// route calls a procedure of the same router /api/trpc serves; see packages/api/README.md.
import { handleRestRequest } from "@weir/api";
import { apiLimits } from "~/env";
import { authenticate, getAuth } from "~/server/auth";
import { getDb } from "~/server/db";

function handler(req: Request): Promise<Response> {
  return handleRestRequest(req, {
    db: getDb(),
    authenticate,
    auth: getAuth(),
    limits: apiLimits(),
    onError: ({ procedure, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`REST ${procedure ?? "(no procedure)"} failed:`, error.cause ?? error);
    },
  });
}

// OPTIONS too, so its Allow names the path's own methods rather than every one exported here.
export {
  handler as GET,
  handler as POST,
  handler as PUT,
  handler as DELETE,
  handler as PATCH,
  handler as OPTIONS,
};
