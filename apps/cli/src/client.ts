// The REST client: one JSON request to /api/v1, its failures turned into one clear line each
// (unreachable server, a refusal with its problems and their paths).
import { CliError, EXIT } from "./errors";

export interface Problem {
  path: (string | number)[];
  pathString: string;
  message: string;
  code: string;
  line?: number;
  column?: number;
}

/** A refusal by the server; `problems` locate each fault in what was sent. */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly problems: Problem[];

  constructor(status: number, code: string, message: string, problems: Problem[]) {
    super(EXIT.refused, `${message} (HTTP ${status} ${code})`, problems.map(formatProblem));
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
}

export function formatProblem(p: Problem): string {
  const at = p.line !== undefined ? ` (code line ${p.line}, column ${p.column ?? 0})` : "";
  return `${p.pathString}: ${p.message}${at}`;
}

export interface Client {
  request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T>;
  /** Every item of a paged list (`{ items, nextCursor }`), following the cursors to the end. */
  list<T>(path: string): Promise<T[]>;
  readonly url: string;
}

/** A page of a REST list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Pages of 1000, the most the server gives; a list longer than this many pages is refused. */
const PAGE_LIMIT = 1000;
const MAX_PAGES = 1000;

const TIMEOUT_MS = 30_000;

export function createClient(url: string, token?: string): Client {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const base = `${url}/api/v1`;
  const client: Client = {
    url,
    async list<T>(path: string): Promise<T[]> {
      const items: T[] = [];
      let cursor: string | null = null;
      const join = path.includes("?") ? "&" : "?";
      for (let pages = 0; pages < MAX_PAGES; pages++) {
        const after = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
        const page: Page<T> = await client.request<Page<T>>(
          "GET",
          `${path}${join}limit=${PAGE_LIMIT}${after}`,
        );
        items.push(...page.items);
        cursor = page.nextCursor;
        if (cursor === null) return items;
      }
      throw new CliError(EXIT.refused, `${path} has more than ${MAX_PAGES * PAGE_LIMIT} items`);
    },
    async request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: body === undefined ? auth : { ...auth, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why =
          (error as Error).name === "TimeoutError"
            ? `no answer within ${TIMEOUT_MS / 1000} s`
            : (cause?.code ?? cause?.message ?? (error as Error).message);
        throw new CliError(EXIT.unreachable, `cannot reach Weir at ${url}: ${why}`);
      }
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        throw new CliError(
          res.ok ? EXIT.refused : EXIT.refused,
          `unexpected answer from ${url} (HTTP ${res.status}, not JSON): is this a Weir server?`,
        );
      }
      if (res.status === 401) {
        const message = (json as { error?: { message?: string } }).error?.message ?? "not signed in";
        throw new CliError(
          EXIT.refused,
          `${message} (HTTP 401). Give a token: \`weir context add NAME --url URL --token weir_…\` or WEIR_TOKEN (make one on the editor's Account page)`,
        );
      }
      if (!res.ok) {
        const error = (json as { error?: { code?: string; message?: string; problems?: Problem[] | null } })
          .error;
        throw new ApiError(
          res.status,
          error?.code ?? "ERROR",
          error?.message ?? `HTTP ${res.status}`,
          error?.problems ?? [],
        );
      }
      return json as T;
    },
  };
  return client;
}
