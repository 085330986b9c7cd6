// Serves /api/v1: matches a REST route, assembles the procedure's input from the path, the query
// string and the JSON body, and calls that procedure in-process through a tRPC caller, so the
// middlewares (input guard, error boundary) and the implementation are the ones /api/trpc runs.
// Errors leave as `{ error: { code, message, problems } }` with the HTTP status of their tRPC code.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Db } from "@weir/db";
import type { ProblemCode } from "@weir/domain";
import { problemsOf, viewProblems } from "../errors";
import type { ProblemView } from "../errors";
import { DEFAULT_HTTP_LIMITS, readBodyCapped } from "../http-handler";
import type { HttpLimits } from "../http-handler";
import { DEFAULT_PAGE_LIMIT, toPage } from "../pagination";
import { appRouter } from "../root";
import type { WeirAuth } from "@weir/auth";
import { callerOf } from "../request-auth";
import type { Authenticate } from "../request-auth";
import { createCallerFactory, createContext } from "../trpc";
import { openApiDocument } from "./openapi";
import { referencePage } from "./reference-page";
import { matchRoute } from "./routes";
import type { QueryKind, RestRoute } from "./routes";

export interface RestHandlerOptions {
  db: Db;
  /** Who the request comes from (session cookie or bearer token); see @weir/auth. */
  authenticate: Authenticate;
  auth?: WeirAuth;
  /** Mount point, `/api/v1` unless given. */
  basePath?: string;
  limits?: Partial<HttpLimits>;
  engineTimeoutMs?: number;
  onError?: (info: { procedure: string | undefined; error: { code: string; cause?: unknown } }) => void;
}

const createCaller = createCallerFactory(appRouter);
type Procedure = (input?: unknown) => Promise<unknown>;

export interface RestError {
  code: string;
  message: string;
  problems: ProblemView[] | null;
}

function errorResponse(status: number, error: RestError, headers?: Record<string, string>): Response {
  return Response.json({ error }, { status, headers });
}

const problem = (path: (string | number)[], message: string, code: ProblemCode): ProblemView[] =>
  viewProblems([{ path, message, code }]);

function bodyMode(route: RestRoute): "fields" | "input" | "none" {
  return route.body ?? (route.method === "POST" || route.method === "PUT" ? "fields" : "none");
}

function readQuery(route: RestRoute, url: URL): { input: Record<string, unknown>; problems: ProblemView[] } {
  const input: Record<string, unknown> = {};
  const problems: ProblemView[] = [];
  const kinds: Readonly<Record<string, QueryKind>> = route.query ?? {};
  for (const [name, kind] of Object.entries(kinds)) {
    const raw = url.searchParams.get(name);
    if (raw === null) continue;
    if (kind === "integer") {
      if (!/^-?\d{1,16}$/.test(raw)) problems.push(...problem([name], "must be an integer", "invalid_shape"));
      else input[name] = Number(raw);
    } else if (kind === "boolean") {
      if (raw !== "true" && raw !== "false")
        problems.push(...problem([name], "must be true or false", "invalid_shape"));
      else input[name] = raw === "true";
    } else {
      input[name] = raw;
    }
  }
  return { input, problems };
}

/** A path value that the procedure reads as a number (a version) is sent as one. */
function pathValue(name: string, value: string): unknown {
  return name === "version" && /^\d{1,16}$/.test(value) ? Number(value) : value;
}

interface PageInput {
  limit: number;
  afterId?: number;
}

/**
 * A list's answer as `{ items, nextCursor }`. For a `tail` (logs) the cursor is the id of the
 * newest entry returned (ask `?afterId=` it for what came after), or the one asked after.
 */
function pageOf(route: RestRoute, input: PageInput, result: unknown): unknown {
  const items = result as Record<string, unknown>[];
  if (route.page === "cursor") return toPage(route.procedure, items, input.limit);
  const last = (items.at(-1) as { id?: number } | undefined)?.id ?? input.afterId;
  return { items, nextCursor: last === undefined ? null : String(last) };
}

/** Serves one request below the mount point. */
export async function handleRestRequest(req: Request, options: RestHandlerOptions): Promise<Response> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const base = options.basePath ?? "/api/v1";
  const url = new URL(req.url);
  if (req.url.length > limits.maxUrlBytes) {
    return errorResponse(413, {
      code: "PAYLOAD_TOO_LARGE",
      message: `the URL is longer than the limit of ${limits.maxUrlBytes} bytes`,
      problems: problem([], `the URL is longer than the limit of ${limits.maxUrlBytes} bytes`, "too_large"),
    });
  }
  const rest = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : url.pathname;
  const path = rest.length > 1 && rest.endsWith("/") ? rest.slice(0, -1) : rest;
  if (req.method === "GET" && path === "/openapi.json") {
    return Response.json(openApiDocument({ serverUrl: base }));
  }
  if (req.method === "GET" && path === "/docs") {
    return new Response(referencePage(openApiDocument({ serverUrl: base }), `${base}/openapi.json`), {
      headers: {
        "content-type": "text/html; charset=utf-8",
        // Nothing on the page is fetched or run: no script, no remote style, image or font.
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      },
    });
  }
  // OPTIONS names exactly the methods the path has (the document's), before any sign-in.
  if (req.method === "OPTIONS") {
    const methods =
      path === "/openapi.json" || path === "/docs" ? ["GET"] : matchRoute("OPTIONS", path).allowed;
    if (methods.length === 0) {
      return errorResponse(404, { code: "NOT_FOUND", message: `no route ${base}${path}`, problems: null });
    }
    return new Response(null, { status: 204, headers: { allow: [...methods, "OPTIONS"].join(", ") } });
  }
  const { match, allowed } = matchRoute(req.method, path);
  if (!match) {
    if (allowed.length > 0) {
      return errorResponse(
        405,
        {
          code: "METHOD_NOT_SUPPORTED",
          message: `${req.method} ${path} is not served; use ${allowed.join(", ")}`,
          problems: null,
        },
        { allow: allowed.join(", ") },
      );
    }
    return errorResponse(404, {
      code: "NOT_FOUND",
      message: `no route ${req.method} ${base}${path}`,
      problems: null,
    });
  }
  const { route, values } = match;

  const query = readQuery(route, url);
  if (query.problems.length > 0) {
    return errorResponse(400, {
      code: "BAD_REQUEST",
      message: "invalid query string",
      problems: query.problems,
    });
  }
  let body: unknown = undefined;
  const mode = bodyMode(route);
  if (mode !== "none") {
    const limit = limits.routeBodyBytes[route.procedure] ?? limits.maxBodyBytes;
    const contentType = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const bytes = await readBodyCapped(req, limit);
    if (bytes === null) {
      const message = `the request body is larger than the limit of ${limit} bytes`;
      return errorResponse(413, {
        code: "PAYLOAD_TOO_LARGE",
        message,
        problems: problem([], message, "too_large"),
      });
    }
    // Every POST and PUT must say application/json, even without a body: that makes each one a
    // request a browser preflights, so no other site's page can send it (a form, or a no-cors
    // fetch with an empty body, which would otherwise deploy or stop a flow named in the path).
    if (contentType !== "application/json") {
      return errorResponse(415, {
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: `the body must be application/json (got ${contentType === "" ? "no content-type" : contentType})`,
        problems: null,
      });
    }
    if (bytes.byteLength > 0 || mode === "input") {
      try {
        body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
      } catch (error) {
        const message = `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`;
        return errorResponse(400, {
          code: "BAD_REQUEST",
          message,
          problems: problem([], message, "invalid_shape"),
        });
      }
    }
  }

  let input: unknown;
  if (mode === "input") {
    input = body;
  } else {
    if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
      const message = "the body must be a JSON object";
      return errorResponse(400, {
        code: "BAD_REQUEST",
        message,
        problems: problem([], message, "invalid_shape"),
      });
    }
    const fields: Record<string, unknown> = {
      ...(body as Record<string, unknown> | undefined),
      ...query.input,
    };
    for (const [name, field] of Object.entries(route.params ?? {})) {
      const value = values[name];
      if (value !== undefined) fields[field] = pathValue(name, value);
    }
    // REST lists always page: `?limit=` defaults to DEFAULT_PAGE_LIMIT.
    if (route.page && fields.limit === undefined) fields.limit = DEFAULT_PAGE_LIMIT;
    input = Object.keys(fields).length === 0 && !route.params && !route.query ? undefined : fields;
  }

  const who = await callerOf(req, options.db, options.authenticate);
  if ("refused" in who) return who.refused;
  const context = createContext({
    db: options.db,
    principal: who.principal,
    ...(who.refusal !== undefined ? { authRefusal: who.refusal } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  });
  if (options.engineTimeoutMs !== undefined) context.engineTimeoutMs = options.engineTimeoutMs;
  const [router, name] = route.procedure.split(".") as [string, string];
  const caller = createCaller(context) as unknown as Record<string, Record<string, Procedure>>;
  const procedure = caller[router]?.[name];
  if (!procedure) throw new Error(`REST route ${route.path} names no procedure ${route.procedure}`);
  try {
    const result = await procedure(input);
    if (route.status === 204) return new Response(null, { status: 204 });
    const body = route.page ? pageOf(route, input as PageInput, result) : result;
    return Response.json(body ?? null, { status: route.status ?? 200 });
  } catch (cause) {
    const error =
      cause instanceof TRPCError ? cause : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause });
    options.onError?.({ procedure: route.procedure, error });
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return errorResponse(getHTTPStatusCodeFromError(error), {
      code: error.code,
      message: internal ? "internal error" : error.message,
      problems: problemsOf(error.cause),
    });
  }
}
