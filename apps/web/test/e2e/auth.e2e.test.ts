// Issue 13 in the browser, on a platform of its own so it starts as a fresh install: the setup
// page makes the first admin; sign out, a wrong password's message, sign in; the admin creates
// a viewer and an API token by typing, and a curl-like client uses the token; the viewer sees
// the editor read-only, Deploy disabled with the reason.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts, startPlatform } from "../support/platform";
import type { Platform } from "../support/platform";
import { byTestId } from "./editor-actions";

const ADMIN = { email: "owner@example.com", password: "first admin password" };
const VIEWER = { email: "viewer@example.com", password: "viewer password 1" };

let platform: Platform;
let dataDir = "";
let url = "";
let browser: Browser;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "weir-auth-e2e-"));
  await chmod(dataDir, 0o755);
  const ports = await freePorts();
  platform = await startPlatform({ dataDir, ports });
  url = `http://127.0.0.1:${ports.web}`;
  browser = await chromium.launch({
    executablePath: process.env.WEIR_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
}, 180_000);

afterAll(async () => {
  await browser.close();
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function type(page: Page, testId: string, text: string): Promise<void> {
  await byTestId(page, testId).click();
  await page.keyboard.type(text, { delay: 5 });
}

async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await type(page, "sign-in-email", user.email);
  await type(page, "sign-in-password", user.password);
  await page.keyboard.press("Enter");
}

async function trpc(procedure: string, token: string | null, input?: unknown): Promise<Response> {
  const target = new URL(`/api/trpc/${procedure}`, url);
  if (input !== undefined) target.searchParams.set("input", JSON.stringify(input));
  return fetch(target, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

describe("accounts in the browser", () => {
  it("sets up the first admin, signs out and in, creates a viewer and a token a script uses", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(url);
    await byTestId(page, "setup-form").waitFor();
    await type(page, "setup-email", ADMIN.email);
    await type(page, "setup-password", ADMIN.password);
    await type(page, "setup-password-repeat", ADMIN.password);
    await byTestId(page, "setup-submit").click();
    await expect.poll(() => byTestId(page, "nav-account").textContent()).toContain(ADMIN.email);

    // Setup is a one-time door: a second try is refused.
    const again = await fetch(`${url}/api/trpc/account.setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "late@example.com", password: "another password" }),
    });
    expect(again.status).toBe(409);

    await byTestId(page, "sign-out").click();
    await byTestId(page, "sign-in-form").waitFor();
    await signIn(page, { email: ADMIN.email, password: "not the password" });
    await expect
      .poll(() => byTestId(page, "sign-in-error").textContent())
      .toMatch(/invalid email or password/i);
    for (const field of ["sign-in-email", "sign-in-password"]) {
      await byTestId(page, field).click();
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.press("Delete");
    }
    await signIn(page, ADMIN);
    await expect.poll(() => byTestId(page, "nav-account").textContent()).toContain(ADMIN.email);

    // A viewer, typed into the users page.
    await byTestId(page, "nav-users").click();
    await type(page, "user-email", VIEWER.email);
    await type(page, "user-password", VIEWER.password);
    await byTestId(page, "user-role").selectOption("viewer");
    await byTestId(page, "user-create").click();
    await byTestId(page, `user-row-${VIEWER.email}`).waitFor();

    // A token, shown once, used by a script.
    await byTestId(page, "nav-account").click();
    await type(page, "token-name", "ci script");
    await byTestId(page, "token-role").selectOption("editor");
    await byTestId(page, "token-create").click();
    const token = ((await byTestId(page, "token-value").textContent()) ?? "").trim();
    expect(token).toMatch(/^weir_[A-Za-z0-9_-]{40,}$/);
    expect((await trpc("flow.list", null)).status).toBe(401);
    const listed = await trpc("flow.list", token);
    expect(listed.status).toBe(200);
    const created = await fetch(`${url}/api/trpc/flow.create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "made by a script", nodes: [], edges: [] }),
    });
    expect(created.status).toBe(200);
    // Its last use shows on the page; a viewer-level call with a garbage token is refused.
    await page.reload();
    await expect.poll(() => byTestId(page, "token-last-used").first().textContent()).not.toBe("never");
    expect((await trpc("flow.list", "weir_not-a-real-token")).status).toBe(401);
    await context.close();
  });

  it("shows a viewer the editor read-only: Deploy disabled with the reason", async () => {
    const admin = platform.token();
    const flow = (await (
      await fetch(`${url}/api/trpc/flow.create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
        body: JSON.stringify({ name: "read only", nodes: [], edges: [] }),
      })
    ).json()) as { result: { data: { id: string } } };
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${url}/flows/${flow.result.data.id}`);
    await signIn(page, VIEWER);
    const deploy = byTestId(page, "deploy-button");
    await deploy.waitFor();
    expect(await deploy.isDisabled()).toBe(true);
    expect(await deploy.getAttribute("title")).toMatch(/needs the editor role; you are a viewer/);
    expect(await byTestId(page, "read-only").textContent()).toMatch(/Deploying needs the editor role/);
    expect(await byTestId(page, "save-button").isDisabled()).toBe(true);
    await context.close();
  });
});
