// The REST face of the tRPC router: each route names the one procedure that implements it, how
// the procedure's input is assembled from the path, the query string and the body, and the status
// of a success. The OpenAPI document (openapi.ts) and the dispatcher (handler.ts) both read this
// table, so a route can neither be served undocumented nor documented unserved.

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** How a query-string value is turned into the input's value (everything in a URL is text). */
export type QueryKind = "string" | "integer" | "boolean";

export interface RestRoute {
  method: HttpMethod;
  /** OpenAPI-style template under /api/v1: `/flows/{id}`. */
  path: string;
  /** The tRPC procedure, `router.procedure`. */
  procedure: string;
  /** Path parameters by template name → input field. */
  params?: Readonly<Record<string, string>>;
  /** Query parameters accepted (same name in the input) and how each is read. */
  query?: Readonly<Record<string, QueryKind>>;
  /**
   * `fields`: the JSON body is an object whose fields join the path's and query's (the default
   * for POST and PUT); `input`: the body is the procedure's whole input (a flow spec); `none`.
   */
  body?: "fields" | "input" | "none";
  /**
   * A list: `cursor` pages by the procedure's own cursor (`?limit=&cursor=`), `tail` by the id
   * of the last entry (`?limit=&afterId=`, logs). The answer is `{ items, nextCursor }`.
   */
  page?: "cursor" | "tail";
  /** 200 unless given; 201 for creations, 204 for deletions (the procedure's answer is dropped). */
  status?: 200 | 201 | 204;
  summary: string;
  tag: string;
  /** Answered without credentials too (the procedure is public). */
  anonymous?: true;
}

const flowId = { id: "id" } as const;
const byFlow = { id: "flowId" } as const;
const byNode = { id: "flowId", nodeId: "nodeId" } as const;
const tail = { limit: "integer", afterId: "integer" } as const;
const page = { limit: "integer", cursor: "string" } as const;

export const REST_ROUTES: readonly RestRoute[] = [
  {
    method: "GET",
    path: "/flows",
    procedure: "flow.list",
    query: page,
    page: "cursor",
    summary: "List flows with their newest deployment",
    tag: "flows",
  },
  {
    method: "POST",
    path: "/flows",
    procedure: "flow.create",
    body: "input",
    status: 201,
    summary: "Create a flow (version 1) from a flow spec",
    tag: "flows",
  },
  {
    method: "POST",
    path: "/flows/validate",
    procedure: "flow.validate",
    body: "input",
    summary: "Validate a flow spec without saving it",
    tag: "flows",
  },
  {
    method: "GET",
    path: "/flows/{id}",
    procedure: "flow.get",
    params: flowId,
    query: { version: "integer" },
    summary: "A flow's latest (or given) version with its spec",
    tag: "flows",
  },
  {
    method: "DELETE",
    path: "/flows/{id}",
    procedure: "flow.delete",
    params: flowId,
    status: 204,
    summary: "Delete a flow with its versions, deployments, logs and dead letters",
    tag: "flows",
  },
  {
    method: "PUT",
    path: "/flows/{id}/name",
    procedure: "flow.rename",
    params: flowId,
    summary: "Rename a flow (saves the next version)",
    tag: "flows",
  },
  {
    method: "POST",
    path: "/flows/{id}/copies",
    procedure: "flow.duplicate",
    params: flowId,
    status: 201,
    summary: "Duplicate a flow",
    tag: "flows",
  },
  {
    method: "GET",
    path: "/flows/{id}/versions",
    procedure: "flow.versions",
    params: flowId,
    query: page,
    page: "cursor",
    summary: "A flow's versions, newest first",
    tag: "versions",
  },
  {
    method: "POST",
    path: "/flows/{id}/versions",
    procedure: "flow.update",
    params: flowId,
    status: 201,
    summary: "Save a spec as the flow's next version (body: { spec, message? })",
    tag: "versions",
  },
  {
    method: "GET",
    path: "/flows/{id}/versions/{version}",
    procedure: "flow.get",
    params: { id: "id", version: "version" },
    summary: "One version of a flow",
    tag: "versions",
  },
  {
    method: "POST",
    path: "/flows/{id}/rollbacks",
    procedure: "flow.rollback",
    params: flowId,
    status: 201,
    summary: "Save an earlier version unchanged as the next version (body: { version })",
    tag: "versions",
  },
  {
    method: "GET",
    path: "/flows/{id}/deployments",
    procedure: "deployment.list",
    params: byFlow,
    query: page,
    page: "cursor",
    summary: "A flow's deployments, newest first",
    tag: "deployments",
  },
  {
    method: "POST",
    path: "/flows/{id}/deployments",
    procedure: "deployment.deploy",
    params: byFlow,
    status: 201,
    summary: "Deploy the latest (or given) version",
    tag: "deployments",
  },
  {
    method: "GET",
    path: "/flows/{id}/deployment",
    procedure: "deployment.status",
    params: byFlow,
    summary: "The flow's newest deployment, or null",
    tag: "deployments",
  },
  {
    // A stop, not a DELETE: the stopped deployment stays readable (GET …/deployment, the list).
    method: "POST",
    path: "/flows/{id}/deployment/stop",
    procedure: "deployment.stop",
    params: byFlow,
    summary: "Stop the running deployment (body: {}); answers the newest deployment, now stopping",
    tag: "deployments",
  },
  {
    method: "GET",
    path: "/flows/{id}/stats",
    procedure: "stats.get",
    params: byFlow,
    query: { deploymentId: "string", partitions: "boolean" },
    summary: "Per-node counters and metrics",
    tag: "stats",
  },
  {
    method: "GET",
    path: "/flows/{id}/nodes/{nodeId}/records",
    procedure: "logs.read",
    params: byNode,
    query: tail,
    page: "tail",
    summary: "The records a log sink kept, oldest first",
    tag: "logs",
  },
  {
    method: "GET",
    path: "/flows/{id}/nodes/{nodeId}/logs",
    procedure: "logs.function",
    params: byNode,
    query: tail,
    page: "tail",
    summary: "A function's ctx.log lines, oldest first",
    tag: "logs",
  },
  {
    method: "GET",
    path: "/flows/{id}/dead-letters",
    procedure: "deadLetters.list",
    params: byFlow,
    query: { nodeId: "string", status: "string", ...page },
    page: "cursor",
    summary: "Dead letters, newest first",
    tag: "dead letters",
  },
  {
    method: "GET",
    path: "/flows/{id}/traces/{traceId}",
    procedure: "trace.get",
    params: { id: "flowId", traceId: "traceId" },
    summary: "A record's trace: each node's span, from the engines' recent traces",
    tag: "traces",
  },
  {
    method: "POST",
    path: "/flows/{id}/dead-letters/replay",
    procedure: "deadLetters.replay",
    params: byFlow,
    summary: "Send dead letters back into their node (body: { ids })",
    tag: "dead letters",
  },
  {
    method: "GET",
    path: "/secrets",
    procedure: "secrets.list",
    query: page,
    page: "cursor",
    summary: "Secret names (never values)",
    tag: "secrets",
  },
  {
    method: "PUT",
    path: "/secrets/{name}",
    procedure: "secrets.set",
    params: { name: "name" },
    summary: "Create or replace a secret (body: { value }); the value is write-only",
    tag: "secrets",
  },
  {
    method: "DELETE",
    path: "/secrets/{name}",
    procedure: "secrets.delete",
    params: { name: "name" },
    status: 204,
    summary: "Delete a secret",
    tag: "secrets",
  },
  {
    method: "GET",
    path: "/connections",
    procedure: "connections.list",
    query: page,
    page: "cursor",
    summary: "Connection profiles (secret fields only as { set })",
    tag: "connections",
  },
  {
    method: "GET",
    path: "/connections/{name}",
    procedure: "connections.get",
    params: { name: "name" },
    summary: "One connection profile",
    tag: "connections",
  },
  {
    method: "PUT",
    path: "/connections/{name}",
    procedure: "connections.set",
    params: { name: "name" },
    summary: "Create or replace a connection profile (body: { kind, config, secrets? })",
    tag: "connections",
  },
  {
    method: "DELETE",
    path: "/connections/{name}",
    procedure: "connections.delete",
    params: { name: "name" },
    status: 204,
    summary: "Delete a connection profile",
    tag: "connections",
  },
  {
    method: "GET",
    path: "/node-types",
    procedure: "nodeTypes.list",
    query: page,
    page: "cursor",
    summary: "Node types with their config JSON Schema",
    tag: "node types",
  },
  {
    method: "POST",
    path: "/functions/trigger",
    procedure: "functions.trigger",
    body: "input",
    summary: "Run function code on sample records in a live engine, without deploying",
    tag: "functions",
  },
  {
    method: "POST",
    path: "/dry-runs",
    procedure: "dryRun.run",
    summary:
      "Run a whole flow spec on sample records entering at one source, functions in a live engine, sinks only capturing; nothing saved or deployed (body: { spec, source, records })",
    tag: "functions",
  },
  {
    method: "GET",
    path: "/artifacts",
    procedure: "artifacts.list",
    query: page,
    page: "cursor",
    summary: "Uploaded WebAssembly components",
    tag: "artifacts",
  },
  {
    method: "POST",
    path: "/artifacts",
    procedure: "artifacts.upload",
    body: "input",
    status: 201,
    summary: "Upload a component as base64 (body: { base64, name? })",
    tag: "artifacts",
  },
  {
    method: "GET",
    path: "/artifacts/{sha256}",
    procedure: "artifacts.get",
    params: { sha256: "sha256" },
    summary: "One artifact's metadata",
    tag: "artifacts",
  },
  {
    method: "GET",
    path: "/account",
    procedure: "account.status",
    anonymous: true,
    summary: "Who is calling (email, role, session or token), and whether setup is still needed",
    tag: "accounts",
  },
  {
    method: "GET",
    path: "/users",
    procedure: "users.list",
    query: page,
    page: "cursor",
    summary: "Accounts by email, with role and whether each is disabled (admins only)",
    tag: "accounts",
  },
  {
    method: "POST",
    path: "/users",
    procedure: "users.create",
    status: 201,
    summary: "Create an account (body: { email, password, role, name? }); there is no self sign-up",
    tag: "accounts",
  },
  {
    method: "PUT",
    path: "/users/{userId}/role",
    procedure: "users.setRole",
    params: { userId: "userId" },
    summary: "Change an account's role (body: { role }); an admin cannot lower their own",
    tag: "accounts",
  },
  {
    method: "PUT",
    path: "/users/{userId}/disabled",
    procedure: "users.setDisabled",
    params: { userId: "userId" },
    summary:
      "Disable or enable an account (body: { disabled }); disabling ends its sessions and stops its tokens",
    tag: "accounts",
  },
  {
    method: "GET",
    path: "/tokens",
    procedure: "tokens.list",
    query: { all: "boolean", ...page },
    page: "cursor",
    summary:
      "The caller's API tokens, newest first (?all=true: everyone's, admins only); never a token's value",
    tag: "tokens",
  },
  {
    method: "POST",
    path: "/tokens",
    procedure: "tokens.create",
    status: 201,
    summary:
      "Create an API token (body: { name, role, userId?, expiresInDays? }); its value is in this answer only",
    tag: "tokens",
  },
  {
    method: "DELETE",
    path: "/tokens/{tokenId}",
    procedure: "tokens.revoke",
    params: { tokenId: "tokenId" },
    status: 204,
    summary:
      "Revoke an API token at once (its row stays for the audit log); not the one sending this request",
    tag: "tokens",
  },
  {
    method: "GET",
    path: "/audit-events",
    procedure: "audit.list",
    query: { user: "string", flowId: "string", action: "string", from: "string", to: "string", ...page },
    page: "cursor",
    summary:
      "The audit log of changes, newest first, by user (id or email), flow, action and time (admins only)",
    tag: "audit",
  },
  {
    method: "GET",
    path: "/engines",
    procedure: "engine.list",
    query: page,
    page: "cursor",
    summary: "Engines and whether each is alive",
    tag: "engines",
  },
];

export interface RouteMatch {
  route: RestRoute;
  /** Template name → decoded path segment. */
  values: Record<string, string>;
}

function matchTemplate(template: string, path: string): Record<string, string> | null {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const values: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return null;
      try {
        values[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return values;
}

/**
 * The route for a method and a path below /api/v1. Literal segments win over parameters
 * (`/flows/validate` is not `/flows/{id}`). `allowed` lists the methods the path has when the
 * method is not one of them (a 405).
 */
export function matchRoute(
  method: string,
  path: string,
): { match: RouteMatch | null; allowed: HttpMethod[] } {
  const candidates: RouteMatch[] = [];
  for (const route of REST_ROUTES) {
    const values = matchTemplate(route.path, path);
    if (values) candidates.push({ route, values });
  }
  const literal = (m: RouteMatch): number => Object.keys(m.values).length;
  candidates.sort((a, b) => literal(a) - literal(b));
  const fewest = candidates[0] ? literal(candidates[0]) : 0;
  const best = candidates.filter((c) => literal(c) === fewest);
  const match = best.find((c) => c.route.method === method) ?? null;
  return { match, allowed: match ? [] : best.map((c) => c.route.method) };
}
