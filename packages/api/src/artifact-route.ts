// POST /api/artifacts: a component's raw bytes as the body, for curl and CI scripts
// (`curl --data-binary @function.wasm -H 'content-type: application/wasm'`). The same check and
// store as the tRPC `artifacts.upload`, without base64.
import { roleAtLeast } from "@weir/auth";
import type { Db } from "@weir/db";
import { WeirError, textProblem } from "@weir/domain";
import { MAX_ARTIFACT_BYTES, uploadArtifact } from "./artifacts";
import { recordAudit } from "./audit";
import { readBodyCapped } from "./http-handler";
import { callerOf } from "./request-auth";
import type { Authenticate } from "./request-auth";

const ACCEPTED_TYPES = ["application/wasm", "application/octet-stream"];

function answer(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

function refuse(status: number, code: string, message: string): Response {
  return answer(status, { error: { code, message } });
}

/** `?name=` labels the artifact. Answers 201 with the stored artifact, 200 when it was already there. */
export async function handleArtifactUpload(
  req: Request,
  db: Db,
  authenticate: Authenticate,
): Promise<Response> {
  const who = await callerOf(req, db, authenticate);
  if ("refused" in who) return who.refused;
  if (!who.principal)
    return refuse(401, "UNAUTHORIZED", "sign in, or send an API token as 'Authorization: Bearer <token>'");
  if (!roleAtLeast(who.principal.role, "editor")) {
    return refuse(
      403,
      "FORBIDDEN",
      `uploading a component needs the editor role; ${who.principal.email} is a ${who.principal.role}`,
    );
  }
  const principal = who.principal;
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!ACCEPTED_TYPES.includes(type)) {
    return refuse(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `send the component's bytes with content-type application/wasm (got '${type || "none"}')`,
    );
  }
  const tooLarge = () =>
    refuse(413, "PAYLOAD_TOO_LARGE", `at most ${MAX_ARTIFACT_BYTES} bytes (64 MiB) are accepted`);
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_ARTIFACT_BYTES) return tooLarge();
  const name = new URL(req.url).searchParams.get("name") ?? "";
  if (name.length > 256) return refuse(400, "BAD_REQUEST", "name: at most 256 characters");
  const nameProblem = textProblem(name);
  if (nameProblem) return refuse(400, "BAD_REQUEST", `name: ${nameProblem}`);
  try {
    // Counted as it arrives: a body without content-length (chunked) is held to the limit too.
    const bytes = await readBodyCapped(req, MAX_ARTIFACT_BYTES);
    if (bytes === null) return tooLarge();
    const stored = await uploadArtifact(db, bytes, name);
    await recordAudit(db, { action: "artifacts.upload", principal, target: stored.sha256 });
    return answer(stored.created ? 201 : 200, stored);
  } catch (error) {
    if (error instanceof WeirError && error.kind === "user") return refuse(400, error.code, error.message);
    console.error("artifact upload failed:", error);
    return refuse(500, "INTERNAL_SERVER_ERROR", "internal error");
  }
}
