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
  readonly url: string;
}

const TIMEOUT_MS = 30_000;

export function createClient(url: string): Client {
  const base = `${url}/api/v1`;
  return {
    url,
    async request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: body === undefined ? {} : { "content-type": "application/json" },
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
}
