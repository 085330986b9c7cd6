// What a person does in the editor, as reusable steps. Only data-testids from TESTIDS.md (and
// Monaco's own .monaco-editor) are used to find things.
import type { Locator, Page } from "playwright-core";

export const byTestId = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/** Creates a flow from the flows list and waits for the editor; returns the new flow's id. */
export async function createFlow(page: Page, baseUrl: string, name: string): Promise<string> {
  await page.goto(baseUrl);
  await byTestId(page, "flow-create-name").click();
  await page.keyboard.type(name, { delay: 5 });
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

/** Monaco's suggestion list, when it is open. */
const suggestWidget = (page: Page): Locator => page.locator(".monaco-editor .suggest-widget.visible");

/**
 * The code Monaco shows, as lines of the model: view lines in screen order, a wrapped line's
 * continuations (the view lines without a line number in the gutter) joined back onto it.
 */
async function shownCode(page: Page): Promise<string> {
  const editor = byTestId(page, "code-editor").locator(".monaco-editor");
  return editor.evaluate((root) => {
    const top = (el: HTMLElement): number => parseFloat(el.style.top);
    const numbered = new Set(
      [...root.querySelectorAll<HTMLElement>(".margin-view-overlays > div")]
        .filter((row) => (row.querySelector(".line-numbers")?.textContent ?? "").trim() !== "")
        .map(top),
    );
    const lines = [...root.querySelectorAll<HTMLElement>(".view-lines .view-line")].sort(
      (a, b) => top(a) - top(b),
    );
    let text = "";
    for (const [i, line] of lines.entries()) {
      const shown = line.innerText.replaceAll("\u00a0", " ");
      if (i === 0) text = shown;
      else if (numbered.has(top(line))) text += `\n${shown}`;
      else text += shown.trimStart();
    }
    return text;
  });
}

/** Words and spaces as written, indentation and line breaks aside (a lost space shows). */
const spaced = (text: string): string => text.replace(/\s+/g, " ").trim();

/** In typed code, `⏎` marks where a person accepts Monaco's first suggestion with Enter. */
export const ACCEPT = "\u23ce";

/**
 * Types code into the Monaco editor of the selected function node key by key, as a person does:
 * click, select all, Delete, then `page.keyboard.type` one line at a time and Enter. Monaco
 * closes brackets and quotes and indents new lines itself (left on: that is what people expect
 * of a code editor), so, like a person, this types no indentation, types over the closers Monaco
 * added on the same line, and for a line that starts with closers (`}`, `});`, `} else {`) moves
 * onto the closers Monaco already put there and types the rest. Where `typed` has `⏎` (as in
 * `ctx.lo⏎.info(…)`) it waits for the suggestion list and accepts the first one with Enter; when
 * the list is open at the end of a line it is closed with Escape first, so Enter makes a new
 * line. Then the text Monaco shows is compared with `meant`, spaces kept (indentation and
 * wrapping aside), so a lost space fails.
 */
export async function typeCode(page: Page, typed: string, meant: string = typed): Promise<void> {
  const editor = byTestId(page, "code-editor").locator(".monaco-editor");
  await editor.waitFor();
  await editor.locator(".view-lines").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  const lines = typed.split("\n").map((line) => line.trim());
  const closersOf = (line: string): string => /^[}\])]+/.exec(line)?.[0] ?? "";
  for (const [i, line] of lines.entries()) {
    const closers = closersOf(line);
    if (closers !== "") {
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("End");
    }
    await typeLine(page, line.slice(closers.length));
    const next = lines[i + 1];
    if (next !== undefined && closersOf(next) === "") {
      if (await suggestWidget(page).isVisible()) await page.keyboard.press("Escape");
      await page.keyboard.press("Enter");
    }
  }
  if (await suggestWidget(page).isVisible()) await page.keyboard.press("Escape");
  const shown = await shownCode(page);
  if (spaced(shown) !== spaced(meant)) {
    throw new Error(`Monaco shows other code than was typed:\n${shown}\n--- meant ---\n${meant}`);
  }
}

async function typeLine(page: Page, line: string): Promise<void> {
  const parts = line.split(ACCEPT);
  for (const [i, part] of parts.entries()) {
    await page.keyboard.type(part, { delay: 40 });
    if (i < parts.length - 1) {
      await suggestWidget(page).waitFor();
      await page.keyboard.press("Enter");
      await suggestWidget(page).waitFor({ state: "hidden" });
    }
  }
}

/** Types into a text field key by key, replacing what it held (select all first, as a person does). */
export async function typeInto(page: Page, testId: string, text: string): Promise<void> {
  await byTestId(page, testId).click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(text, { delay: 5 });
}

/** The number in an element's text (e.g. a counter "1,234" or "in 12"). */
export async function numberIn(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? "";
  const match = /-?[\d,]+(\.\d+)?/.exec(text);
  if (!match) throw new Error(`no number in '${text}'`);
  return Number(match[0].replaceAll(",", ""));
}

/**
 * Clicks on an edge's line a quarter of the way along it, as a person selects an edge (its
 * middle carries the label). The point comes from the drawn SVG path, in screen coordinates,
 * once it is inside the canvas and has stopped moving (the view may still be animating a fit).
 */
export async function clickEdge(page: Page, edgeId: string): Promise<void> {
  const path = page.locator(`[data-testid="rf__edge-${edgeId}"] path.react-flow__edge-interaction`);
  const canvas = await byTestId(page, "canvas").boundingBox();
  if (!canvas) throw new Error("the canvas is not on screen");
  const deadline = Date.now() + 5_000;
  let last = { x: Number.NaN, y: Number.NaN };
  for (;;) {
    const point = await path.evaluate((element) => {
      const line = element as SVGPathElement;
      const at = line.getPointAtLength(line.getTotalLength() / 4);
      const matrix = line.getScreenCTM();
      if (!matrix) throw new Error("the edge is not on screen");
      const screen = new DOMPoint(at.x, at.y).matrixTransform(matrix);
      return { x: screen.x, y: screen.y };
    });
    const inside =
      point.x > canvas.x &&
      point.x < canvas.x + canvas.width &&
      point.y > canvas.y &&
      point.y < canvas.y + canvas.height;
    if (inside && point.x === last.x && point.y === last.y) {
      await page.mouse.click(point.x, point.y);
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`edge ${edgeId} is not still inside the canvas (at ${JSON.stringify(point)})`);
    last = point;
    await page.waitForTimeout(100);
  }
}

/** The data-testid of the element that has the keyboard focus ("" when none has one). */
export const focusedTestId = (page: Page): Promise<string> =>
  page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? "");

/**
 * Presses Tab (or Shift+Tab) until the element with `testId` has the focus, as a keyboard user
 * moves through the page; fails after `max` presses.
 */
export async function tabTo(
  page: Page,
  testId: string,
  options: { back?: boolean; max?: number } = {},
): Promise<void> {
  const max = options.max ?? 80;
  for (let i = 0; i < max; i++) {
    if ((await focusedTestId(page)) === testId) return;
    await page.keyboard.press(options.back === true ? "Shift+Tab" : "Tab");
  }
  if ((await focusedTestId(page)) !== testId)
    throw new Error(
      `${String(max)} presses of Tab did not reach ${testId} (focus on '${await focusedTestId(page)}')`,
    );
}

/**
 * Draws the flow most stories start from, as a person does: a new flow, then generator, function
 * and log dragged from the palette and wired generator → function → log by dragging.
 */
export async function drawGeneratorFunctionLog(
  page: Page,
  baseUrl: string,
  name: string,
): Promise<{ gen: string; fn: string; out: string }> {
  await createFlow(page, baseUrl, name);
  await byTestId(page, "palette-item-generator").waitFor();
  const gen = await dropFromPalette(page, "generator", 115, 110);
  const fn = await dropFromPalette(page, "function", 342, 250);
  const out = await dropFromPalette(page, "log", 540, 110);
  await connect(page, gen, "out", fn);
  await connect(page, fn, "out", out);
  return { gen, fn, out };
}

/** Waits until the editor's deployment badge says `state` (deploys take a few seconds). */
export async function waitForDeployment(page: Page, state: "running" | "stopped"): Promise<void> {
  const deadline = Date.now() + 20_000;
  let seen: string | null = null;
  while (Date.now() < deadline) {
    seen = await byTestId(page, "deployment-status").getAttribute("data-state");
    if (seen === state) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the deployment stayed '${String(seen)}' for 20 s, never '${state}'`);
}
