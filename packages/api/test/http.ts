// Calls the API as curl and the web app's route handler do: plain JSON over HTTP, no transformer.
import type { Db } from "@weir/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { handleApiRequest } from "../src/http-handler";
import type { HttpLimits } from "../src/http-handler";
import { appRouter, createContext } from "../src/index";
import { asTestAdmin, testAdmin } from "./principals";

export interface HttpAnswer {
  status: number;
  /** The body as sent, for asserting what must never appear in it. */
  text: string;
  json: unknown;
}

/** A GET when `init` is omitted (put the input in `path`), else a POST of `init.body`. */
export async function callHttp(db: Db, path: string, init?: { body: unknown }): Promise<HttpAnswer> {
  const url = `http://localhost/api/trpc/${path}`;
  const req = init
    ? new Request(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(init.body),
      })
    : new Request(url);
  return answerOf(await handleApiRequest(req, { authenticate: asTestAdmin, db }));
}

/** Sends `req` through the handler the web app mounts (limits included) and reads the answer. */
export async function sendHttp(db: Db, req: Request, limits?: Partial<HttpLimits>): Promise<HttpAnswer> {
  return answerOf(
    await handleApiRequest(
      req,
      limits ? { authenticate: asTestAdmin, db, limits } : { authenticate: asTestAdmin, db },
    ),
  );
}

async function answerOf(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

/** `path?input=…` for a GET. */
export const withInput = (path: string, input: unknown): string =>
  `${path}?input=${encodeURIComponent(JSON.stringify(input))}`;

/** One server-sent event as tRPC writes them: `event:` (absent for data), `id:` and parsed `data:`. */
export interface SseEvent {
  event: string | null;
  id: string | null;
  data: unknown;
}

/**
 * Opens a subscription the way EventSource (tRPC's httpSubscriptionLink) does and hands out its
 * events one by one; `close()` aborts the request as a closing browser tab would.
 */
export async function openSse(
  db: Db,
  path: string,
): Promise<{ status: number; contentType: string | null; next(): Promise<SseEvent | null>; close(): void }> {
  const abort = new AbortController();
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost/api/trpc/${path}`, {
      headers: { accept: "text/event-stream" },
      signal: abort.signal,
    }),
    router: appRouter,
    createContext: () => createContext({ db, principal: testAdmin }),
  });
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    async next() {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string): string | null =>
            block
              .split("\n")
              .find((line) => line.startsWith(`${name}:`))
              ?.slice(name.length + 1)
              .trimStart() ?? null;
          const data = field("data");
          return { event: field("event"), id: field("id"), data: data === null ? null : JSON.parse(data) };
        }
        const chunk = await reader?.read();
        if (!chunk || chunk.done) return null;
        buffer += chunk.value;
      }
    },
    close: () => {
      abort.abort();
    },
  };
}
