// Mounts the Weir API at /api/trpc: queries by GET (?input=<json>), mutations by POST (JSON body).
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, createContext } from "@weir/api";
import { getDb } from "~/server/db";

function handler(req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ db: getDb() }),
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`tRPC ${path ?? "(no path)"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
