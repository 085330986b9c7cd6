// axe-core in the real page: the flows list and the editor (canvas with nodes, the inspector with
// Monaco open, the bottom panel) have no serious or critical accessibility violations.
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, connect, createFlow, dropFromPalette } from "./editor-actions";

const b = useBrowser();
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is; the serious and critical violations, readable. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: Violation[] }> } }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact ?? ""} ${v.id}: ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `  ${n.target.join(" ")} — ${n.failureSummary ?? ""}`)
          .join("\n")}`,
    );
}

describe("accessibility", () => {
  it("the flows list and the editor have no serious or critical axe violations", async () => {
    const page = b.page;
    const flowId = await createFlow(page, b.url, "e2e accessibility");
    const gen = await dropFromPalette(page, "generator", 115, 110);
    const fn = await dropFromPalette(page, "function", 342, 250);
    await connect(page, gen, "out", fn);
    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "code-editor").locator(".monaco-editor").waitFor();
    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    expect(await seriousViolations(page), "editor with Monaco open").toEqual([]);

    await byTestId(page, `node-${gen}`).click();
    await byTestId(page, "field-intervalMs").waitFor();
    await byTestId(page, "tab-versions").click();
    await byTestId(page, "version-2").waitFor();
    expect(await seriousViolations(page), "editor: a form and the versions").toEqual([]);

    // Deployed, so the list shows a "running" badge too (its colours once fell short of 4.5:1).
    await byTestId(page, "deploy-button").click();
    await byTestId(page, "deployment-status").and(page.locator('[data-state="running"]')).waitFor();
    await page.goto(b.url);
    await byTestId(page, `flow-status-${flowId}`).and(page.locator('[data-state="running"]')).waitFor();
    expect(await seriousViolations(page), "flows list with a running flow").toEqual([]);
    await page.goto(`${b.url}/flows/${flowId}`);
    await byTestId(page, "stop-button").click();
    await byTestId(page, "deployment-status").and(page.locator('[data-state="stopped"]')).waitFor();
  });
});
