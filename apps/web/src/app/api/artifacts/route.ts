// POST /api/artifacts with a component's raw bytes (content-type application/wasm, optional
// ?name=): stores it for `wasm` function nodes. The logic lives in @weir/api.
import { handleArtifactUpload } from "@weir/api";
import { authenticate } from "~/server/auth";
import { getDb } from "~/server/db";

export function POST(req: Request): Promise<Response> {
  return handleArtifactUpload(req, getDb(), authenticate);
}
