// `GET /api/health`: 200 when the editor can reach its database, 503 with the reason when not.
// Container health checks and load balancers poll it.
import { errorMessage } from "@weir/domain";
import { getDb } from "~/server/db";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    await getDb().$queryRaw`SELECT 1`;
    return Response.json({ ok: true, database: "reachable" });
  } catch (error) {
    return Response.json({ ok: false, database: `unreachable: ${errorMessage(error)}` }, { status: 503 });
  }
}
