// The only place the API talks to an engine: requests that need user code run (a trigger), which
// the web process must never do itself. Everything else still goes through Postgres. Every call
// carries WEIR_INTERNAL_KEY (x-weir-internal-key), which the engine requires of /trigger.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import type { EngineInstance } from "@weir/db";
import { installationKeys } from "@weir/db";
import { errorMessage } from "@weir/domain";
import type { DbClient } from "./lookups";
import { LIVENESS_WINDOW_MS } from "./views";

/** How long a call to an engine may take unless the context says otherwise. */
export const ENGINE_TIMEOUT_MS = 30_000;

/** The header engines read WEIR_INTERNAL_KEY from (apps/engine/src/endpoint-auth.ts). */
export const INTERNAL_KEY_HEADER = "x-weir-internal-key";

/** An engine to call, with the key it requires of the caller. */
export type EngineTarget = Pick<EngineInstance, "id" | "ingestUrl"> & { internalKey?: string | undefined };

/**
 * The live engine that reported last, with this process's WEIR_INTERNAL_KEY to call it; or
 * PRECONDITION_FAILED when none is running or the key is not set.
 */
export async function requireLiveEngine(
  db: DbClient,
  now = new Date(),
): Promise<EngineInstance & { internalKey: string }> {
  const internalKey = installationKeys(db).internalKey;
  if (internalKey === undefined) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message:
        "WEIR_INTERNAL_KEY is not set in the web process, so it cannot call an engine (npm start sets it)",
    });
  }
  const engine = await db.engineInstance.findFirst({
    where: { heartbeatAt: { gt: new Date(now.getTime() - LIVENESS_WINDOW_MS) } },
    orderBy: [{ heartbeatAt: "desc" }, { startedAt: "desc" }],
  });
  if (!engine) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: "no engine is running: start one with npm start",
    });
  }
  return { ...engine, internalKey };
}

/** tRPC's meaning of an engine's error status, as seen by the API's caller. */
function codeForEngineStatus(status: number): TRPC_ERROR_CODE_KEY {
  // The engine refused this process's key: the installation is misconfigured, not the request.
  if (status === 401 || status === 403) return "PRECONDITION_FAILED";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 429) return "TOO_MANY_REQUESTS";
  if (status < 500) return "BAD_REQUEST";
  if (status === 503) return "SERVICE_UNAVAILABLE";
  if (status === 504) return "GATEWAY_TIMEOUT";
  return "BAD_GATEWAY";
}

function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : errorMessage(error);
}

/**
 * One POST on a connection of its own (no keep-alive pool): a socket the engine closed after
 * refusing an earlier request can never be picked up again by the next call.
 */
function post(
  url: URL,
  body: string,
  signal: AbortSignal,
  internalKey: string | undefined,
): Promise<{ status: number; text: string }> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "content-length": Buffer.byteLength(body),
          ...(internalKey === undefined ? {} : { [INTERNAL_KEY_HEADER]: internalKey }),
        },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("error", reject);
        res.once("end", () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

/**
 * POSTs JSON to `<engine ingestUrl><path>` and returns the parsed JSON of a 2xx answer. An
 * engine's `{ error }` answer becomes a TRPCError carrying that message; an unreachable, slow or
 * incoherent engine a BAD_GATEWAY or GATEWAY_TIMEOUT naming it.
 */
export async function postToEngine(
  engine: EngineTarget,
  path: string,
  body: unknown,
  timeoutMs: number = ENGINE_TIMEOUT_MS,
): Promise<unknown> {
  const url = `${engine.ingestUrl.replace(/\/+$/, "")}${path}`;
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let text: string;
  try {
    ({ status, text } = await post(new URL(url), JSON.stringify(body), signal, engine.internalKey));
  } catch (error) {
    if (signal.aborted) {
      throw new TRPCError({
        code: "GATEWAY_TIMEOUT",
        message: `engine ${engine.id} did not answer within ${timeoutMs} ms`,
      });
    }
    throw new TRPCError({
      code: "BAD_GATEWAY",
      message: `engine ${engine.id} at ${engine.ingestUrl} is not reachable (${describeFailure(error)})`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300) {
    if (json === undefined) {
      throw new TRPCError({
        code: "BAD_GATEWAY",
        message: `engine ${engine.id} answered ${path} with something other than JSON`,
      });
    }
    return json;
  }
  const reason = (json as { error?: unknown } | undefined)?.error;
  throw new TRPCError({
    code: codeForEngineStatus(status),
    message: `engine ${engine.id}: ${typeof reason === "string" ? reason : `HTTP ${status}`}`,
  });
}
