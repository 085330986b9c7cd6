// Calls the API as curl and the web app's route handler do: plain JSON over HTTP, no transformer.
import type { Db } from "@weir/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, createContext } from "../src/index";

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
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ db }),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as unknown };
}

/** `path?input=…` for a GET. */
export const withInput = (path: string, input: unknown): string =>
  `${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
