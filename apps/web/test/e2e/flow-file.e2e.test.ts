// Issue 14: a person exports the flow they are editing as a YAML flow file, edits it, imports it
// back through the file chooser (one undoable edit), and a file with code in a separate file is
// refused with its path.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { useBrowser } from "./browser";
import { byTestId, createFlow, dropFromPalette, nodeIds } from "./editor-actions";

const b = useBrowser();
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "weir-e2e-flow-file-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("flow file export and import", () => {
  it("exports YAML, imports an edited file as one undoable edit, refuses a code file", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e flow file");
    const fn = await dropFromPalette(page, "function", 300, 220);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      byTestId(page, "export-flow-file").click(),
    ]);
    expect(download.suggestedFilename()).toBe("e2e-flow-file.yaml");
    const exported = path.join(dir, "exported.yaml");
    await download.saveAs(exported);
    const flow = parse(await readFile(exported, "utf8")) as {
      name: string;
      nodes: { id: string; kind: string; position: { x: number; y: number } }[];
    };
    expect(flow.name).toBe("e2e flow file");
    expect(flow.nodes.map((n) => n.id)).toEqual([fn]);
    await b.shot("exported");

    const edited = path.join(dir, "edited.yaml");
    const second = { ...flow.nodes[0], id: "second", position: { x: 500, y: 300 } };
    await writeFile(
      edited,
      stringify({ ...flow, name: "imported from a file", nodes: [...flow.nodes, second] }),
    );
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      byTestId(page, "import-flow-file").click(),
    ]);
    await chooser.setFiles(edited);
    await expect.poll(() => byTestId(page, "editor-flow-name").inputValue()).toBe("imported from a file");
    expect((await nodeIds(page)).sort()).toEqual([fn, "second"].sort());
    await byTestId(page, "editor-dirty").waitFor();
    await b.shot("imported");

    await byTestId(page, "undo-button").click();
    await expect.poll(() => byTestId(page, "editor-flow-name").inputValue()).toBe("e2e flow file");
    expect(await nodeIds(page)).toEqual([fn]);

    const withFile = path.join(dir, "code-file.yaml");
    await writeFile(
      withFile,
      stringify({ ...flow, nodes: flow.nodes.map((n) => ({ ...n, config: { code: { file: "./fn.ts" } } })) }),
    );
    const [again] = await Promise.all([
      page.waitForEvent("filechooser"),
      byTestId(page, "import-flow-file").click(),
    ]);
    await again.setFiles(withFile);
    const problems = byTestId(page, "import-problems");
    await problems.waitFor();
    expect(await problems.textContent()).toMatch(
      /^import refused: code-file\.yaml: nodes\[0\]\.config\.code: code from a file/,
    );
    expect(await nodeIds(page)).toEqual([fn]);
    await b.shot("code file refused");
  });
});
