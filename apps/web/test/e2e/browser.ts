// The browser side of the e2e tests: Debian's Chromium (Playwright cannot download browsers
// here) driven by playwright-core, headless, one browser per test file and a fresh context per
// test at 1280×800. Every test gets `shot(step)`, which saves
// test-artifacts/<test-name>/NN-step.png, and failure.png there when it fails; an
// uncaught error in the page fails the test, since the editor must never fail silently.
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, inject } from "vitest";
import { ARTIFACTS_DIR, slug } from "./artifacts";

const CHROMIUM = process.env.WEIR_CHROMIUM ?? "/usr/bin/chromium";

/** How long one UI step may take before the test fails with what it was waiting for. */
export const STEP_TIMEOUT_MS = 10_000;

export interface BrowserTest {
  /** The editor's base URL. */
  readonly url: string;
  /** The signed-in admin's cookies (Playwright storage state file), for a context a test opens itself. */
  readonly storageState: string;
  readonly page: Page;
  /** Saves a numbered screenshot of the page for this test. */
  shot(step: string): Promise<void>;
  /** Calls the API the page uses (for setting up state the story is not about, and for checks). */
  api<T = unknown>(procedure: string, input?: unknown, method?: "GET" | "POST"): Promise<T>;
}

/** Call at the top of an e2e file; the returned object is valid inside tests. */
export function useBrowser(): BrowserTest {
  const url = inject("weirUrl");
  const token = inject("weirToken");
  const storageState = inject("weirStorageState");
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let dir = "";
  let count = 0;
  let pageErrors: string[] = [];

  const shot = async (step: string): Promise<void> => {
    if (!page) throw new Error("shot() outside a test");
    count++;
    await page.screenshot({
      path: path.join(dir, `${String(count).padStart(2, "0")}-${slug(step)}.png`),
      fullPage: false,
    });
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set WEIR_CHROMIUM)`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async (ctx) => {
    if (!browser) throw new Error("the browser did not start");
    dir = path.join(ARTIFACTS_DIR, slug(ctx.task.name));
    count = 0;
    pageErrors = [];
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    // Signed in as the run's admin (see global-setup.ts); auth.e2e.test.ts starts signed out.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? error.message));
  });
  afterEach(async (ctx) => {
    // Before the context closes (onTestFailed would run after it has).
    const result = ctx.task.result;
    if (result?.state === "fail" || (result?.errors?.length ?? 0) > 0) {
      await page?.screenshot({ path: path.join(dir, "failure.png") }).catch(() => undefined);
    }
    await context?.close();
    context = undefined;
    page = undefined;
    if (pageErrors.length > 0) throw new Error(`uncaught errors in the page:\n${pageErrors.join("\n")}`);
  });

  return {
    url,
    storageState,
    get page(): Page {
      if (!page) throw new Error("page used outside a test");
      return page;
    },
    shot,
    async api<T>(procedure: string, input?: unknown, method: "GET" | "POST" = "GET"): Promise<T> {
      const target = new URL(`/api/trpc/${procedure}`, url);
      let res: Response;
      if (method === "GET") {
        if (input !== undefined) target.searchParams.set("input", JSON.stringify(input));
        res = await fetch(target, { headers: { authorization: `Bearer ${token}` } });
      } else {
        res = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? null),
        });
      }
      const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
      if (body.error) throw new Error(`${procedure}: ${body.error.message}`);
      return body.result?.data as T;
    },
  };
}
