// What a person does in the editor, as reusable steps. Only data-testids from TESTIDS.md (and
// Monaco's own .monaco-editor) are used to find things.
import type { Locator, Page } from "playwright-core";

export const byTestId = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/** Creates a flow from the flows list and waits for the editor; returns the new flow's id. */
export async function createFlow(page: Page, baseUrl: string, name: string): Promise<string> {
  await page.goto(baseUrl);
  await byTestId(page, "flow-create-name").fill(name);
  await byTestId(page, "flow-create-submit").click();
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  await byTestId(page, "canvas").waitFor();
  const id = /\/flows\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
  if (!id) throw new Error(`no flow id in ${page.url()}`);
  return id;
}

/**
 * Drags a node type from the palette onto the canvas at (x, y) relative to the canvas, with real
 * HTML5 drag and drop (Chromium's drag events through Playwright's mouse), and returns the id of
 * the node that appeared (the editor selects what was dropped).
 */
export async function dropFromPalette(page: Page, type: string, x: number, y: number): Promise<string> {
  const before = new Set(await nodeIds(page));
  await byTestId(page, `palette-item-${type}`).dragTo(byTestId(page, "canvas"), {
    targetPosition: { x, y },
  });
  const deadline = Date.now() + 5_000;
  for (;;) {
    const added = (await nodeIds(page)).filter((id) => !before.has(id));
    if (added.length === 1 && added[0]) return added[0];
    if (Date.now() > deadline)
      throw new Error(`dropping '${type}' on the canvas added ${String(added.length)} nodes, not 1`);
    await page.waitForTimeout(100);
  }
}

/** The ids of the nodes on the canvas, from React Flow's own `rf__node-<id>` test ids. */
export async function nodeIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid^="rf__node-"]')
    .evaluateAll((elements) =>
      elements.map((e) => (e.getAttribute("data-testid") ?? "").slice("rf__node-".length)),
    );
}

/** Drags from an output port to another node's input, as a person draws an edge. */
export async function connect(page: Page, from: string, port: string, to: string): Promise<void> {
  const source = byTestId(page, `node-${from}-port-${port}`);
  const target = byTestId(page, `node-${to}-input`);
  const a = await source.boundingBox();
  const b = await target.boundingBox();
  if (!a || !b) throw new Error(`cannot see port ${from}.${port} or the input of ${to}`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/**
 * Replaces the code in the Monaco editor of the selected function node: click into it, select
 * all, delete, and enter the code in one input (as an input method or a paste does, so Monaco's
 * completion list cannot swallow keys). Monaco still closes the first bracket it sees opened and
 * re-indents, as it would for a person; whatever it added after the code is deleted, and the text
 * Monaco then shows is compared with what was meant (whitespace aside).
 */
export async function typeCode(page: Page, code: string): Promise<void> {
  const editor = byTestId(page, "code-editor").locator(".monaco-editor");
  await editor.waitFor();
  await editor.locator(".view-lines").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(code);
  await page.keyboard.press("Escape");
  await page.keyboard.press("ControlOrMeta+Shift+End");
  await page.keyboard.press("Delete");
  const squash = (text: string): string => text.replace(/\s+/g, "");
  const shown = await editor.locator(".view-lines").evaluate((el) => (el as HTMLElement).innerText);
  if (squash(shown) !== squash(code)) {
    throw new Error(`Monaco shows other code than was typed:\n${shown}\n--- meant ---\n${code}`);
  }
}

/** The number in an element's text (e.g. a counter "1,234" or "in 12"). */
export async function numberIn(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? "";
  const match = /-?[\d,]+(\.\d+)?/.exec(text);
  if (!match) throw new Error(`no number in '${text}'`);
  return Number(match[0].replaceAll(",", ""));
}
