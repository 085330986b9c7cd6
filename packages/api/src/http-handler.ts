// The API over HTTP, with the request-level limits checked before tRPC reads anything: the
// URL's length (a GET's input), the number of calls in a batch and the body's size, each per
// route. The web app mounts this (app/api/trpc/[trpc]/route.ts); tests call it as curl would.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Db } from "@weir/db";
import { MAX_ARTIFACT_BYTES } from "./artifacts";
import { viewProblems } from "./errors";
import type { ProblemView } from "./errors";
import type { WeirAuth } from "@weir/auth";
import { callerOf } from "./request-auth";
import type { Authenticate } from "./request-auth";
import { appRouter } from "./root";
import { createContext } from "./trpc";

export interface HttpLimits {
  /** Largest request body of any procedure without its own limit below. */
  maxBodyBytes: number;
  /** Larger limits for procedures that need them (a base64 component for artifacts.upload). */
  routeBodyBytes: Readonly<Record<string, number>>;
  /** Calls in one batched request. */
  maxBatchSize: number;
  /** Length of the URL, which carries a GET's input. */
  maxUrlBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 4 * 1024 * 1024,
  // A component of MAX_ARTIFACT_BYTES in base64 (4 characters per 3 bytes) and its JSON around it.
  routeBodyBytes: { "artifacts.upload": Math.ceil(MAX_ARTIFACT_BYTES / 3) * 4 + 64 * 1024 },
  maxBatchSize: 50,
  maxUrlBytes: 64 * 1024,
};

export interface HttpHandlerOptions {
  db: Db;
  /** Who the request comes from (session cookie or bearer token); see @weir/auth. */
  authenticate: Authenticate;
  /** The accounts service, for first-run setup and user management. */
  auth?: WeirAuth;
  /** Mount point, `/api/trpc` unless given. */
  endpoint?: string;
  limits?: Partial<HttpLimits>;
  /** How long a call to an engine may take (tests shorten it). */
  engineTimeoutMs?: number;
  onError?: (info: { path: string | undefined; error: { code: string; cause?: unknown } }) => void;
}

/** A refusal in tRPC's error shape (what a client's error handling already reads). */
function refuse(status: 400 | 413, path: string, problems: ProblemView[]): Response {
  const code = status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
  const message = problems.map((p) => `${p.pathString}: ${p.message}`).join("; ");
  return Response.json(
    {
      error: {
        message,
        code: status === 413 ? -32413 : -32600,
        data: { code, httpStatus: status, path, problems },
      },
    },
    { status },
  );
}

const tooLarge = (what: string, limit: number): ProblemView[] =>
  viewProblems([
    { path: [], message: `${what} is larger than the limit of ${limit} bytes`, code: "too_large" },
  ]);

/**
 * Reads at most `limit` bytes of a body, stopping (and cancelling the stream) as soon as more
 * arrive: a client cannot make the server hold more than the limit, whatever content-length says.
 */
export async function readBodyCapped(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!req.body) return new Uint8Array(0);
  const reader = (req.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Serves one request of the tRPC API, limits first. */
export async function handleApiRequest(req: Request, options: HttpHandlerOptions): Promise<Response> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const endpoint = options.endpoint ?? "/api/trpc";
  const url = new URL(req.url);
  const pathPart = url.pathname.startsWith(endpoint) ? url.pathname.slice(endpoint.length + 1) : url.pathname;
  const path = pathPart.length > 200 ? `${pathPart.slice(0, 200)}…` : pathPart;
  if (req.url.length > limits.maxUrlBytes) {
    return refuse(413, path, tooLarge("the URL (a query's input)", limits.maxUrlBytes));
  }
  let decoded = pathPart;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    // A malformed escape: tRPC answers it as a path it does not know.
  }
  const procedures = decoded.split(",");
  if (procedures.length > limits.maxBatchSize) {
    return refuse(
      400,
      path,
      viewProblems([
        {
          path: [],
          message: `a batch holds at most ${limits.maxBatchSize} calls (this one has ${procedures.length})`,
          code: "too_large",
        },
      ]),
    );
  }
  let request = req;
  if (req.method !== "GET" && req.method !== "HEAD") {
    const limit = Math.max(
      ...procedures.map((procedure) => limits.routeBodyBytes[procedure] ?? limits.maxBodyBytes),
    );
    const body = await readBodyCapped(req, limit);
    if (body === null) return refuse(413, path, tooLarge("the request body", limit));
    request = new Request(req.url, { method: req.method, headers: req.headers, body });
  }
  const caller = await callerOf(req, options.db, options.authenticate);
  if ("refused" in caller) return caller.refused;
  return fetchRequestHandler({
    endpoint,
    req: request,
    router: appRouter,
    maxBatchSize: limits.maxBatchSize,
    createContext: () => {
      const context = createContext({
        db: options.db,
        principal: caller.principal,
        ...(caller.refusal !== undefined ? { authRefusal: caller.refusal } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
      });
      if (options.engineTimeoutMs !== undefined) context.engineTimeoutMs = options.engineTimeoutMs;
      return context;
    },
    onError: options.onError,
  });
}
