import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { createMemoryHost } from "@weir/runtime-conformance";
import { CONTRACT_MODULE, contractDeclarations } from "./contract";
import { jsRuntime } from "./index";

const CONTRACT_FILE = `/node_modules/${CONTRACT_MODULE}/index.d.ts`;

/** Type-checks one function file against the contract, as the editor would (no Node, no DOM). */
function typeErrors(code: string): string[] {
  const files = new Map([
    [CONTRACT_FILE, contractDeclarations()],
    ["/function.ts", code],
  ]);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts"],
    types: [],
  };
  const libDir = path.dirname(ts.getDefaultLibFilePath(options));
  const base = ts.createCompilerHost(options);
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (name) => files.has(name) || (name.startsWith(libDir) && base.fileExists(name)),
    readFile: (name) => files.get(name) ?? (name.startsWith(libDir) ? base.readFile(name) : undefined),
    getSourceFile: (name, languageVersion) => {
      const text = files.get(name) ?? (name.startsWith(libDir) ? base.readFile(name) : undefined);
      return text === undefined ? undefined : ts.createSourceFile(name, text, languageVersion, true);
    },
    directoryExists: (dir) => [...files.keys()].some((name) => name.startsWith(`${dir}/`)),
    getDirectories: () => [],
    realpath: (name) => name,
    getCurrentDirectory: () => "/",
  };
  const program = ts.createProgram(["/function.ts"], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

const SAMPLE = `import type { Handler, Init, JsonValue } from "${CONTRACT_MODULE}";

interface Order {
  id: string;
  items: { price: number; qty: number }[];
}

let threshold = 0;

export const init: Init<{ threshold: number }> = async (ctx) => {
  threshold = ctx.params.threshold;
  ctx.log.info("threshold", threshold);
};

const handle: Handler<Order, { threshold: number }> = async (record, ctx) => {
  const total = record.value.items.reduce((sum, item) => sum + item.price * item.qty, 0);
  const seen = ((await ctx.state.get<number>("seen")) ?? 0) + 1;
  ctx.state.put("seen", seen);
  ctx.metrics.counter("orders");
  ctx.metrics.histogram("total", total);
  console.log("order", record.value.id, ctx.record.key);
  if (total > threshold) ctx.emit("alerts", { value: { id: record.value.id, total } });
  if (total === 0) return;
  const out: JsonValue = { id: record.value.id, total, seen, token: ctx.secrets.TOKEN ?? null };
  return { value: out, headers: { ...record.headers, checked: "yes" } };
};
export default handle;
`;

describe("contract declarations", () => {
  it("type-check a function written against them", () => {
    expect(typeErrors(SAMPLE)).toEqual([]);
  });

  it("type-check an ordered stream", () => {
    const code = `import type { Stream } from "${CONTRACT_MODULE}";
export const stream: Stream<number> = async function* (records, ctx) {
  let sum = 0;
  for await (const record of records) {
    sum += record.value;
    yield [{ value: sum }, { value: ctx.record.timestamp }];
  }
};
`;
    expect(typeErrors(code)).toEqual([]);
  });

  it("reject code that breaks the contract", () => {
    const errors = typeErrors(`import type { Handler } from "${CONTRACT_MODULE}";
const handle: Handler = async (record, ctx) => {
  ctx.state.put("when", new Date());
  ctx.params.limit = 3;
  process.exit(1);
  return { val: record.value };
};
export default handle;
`);
    expect(errors).toHaveLength(4);
    const all = errors.join("\n");
    expect(all).toContain("'Date' is not assignable to parameter of type 'JsonValue'");
    expect(all).toContain("Index signature in type 'ReadonlyJsonObject' only permits reading");
    expect(all).toContain("Cannot find name 'process'");
    expect(all).toContain("'{ val: JsonValue; }' is not assignable");
  });

  it("describe code the runtime accepts and runs", async () => {
    await expect(jsRuntime.check({ code: SAMPLE, language: "typescript" })).resolves.toEqual([]);
    const host = createMemoryHost({ secrets: { TOKEN: "t" } });
    const instance = await jsRuntime.createInstance(
      {
        nodeId: "fn",
        code: SAMPLE,
        language: "typescript",
        params: { threshold: 10 },
        ports: ["out", "alerts"],
        timeoutMs: 1_000,
        memoryLimitMb: 32,
      },
      host,
    );
    const order = { id: "o1", items: [{ price: 4, qty: 3 }] };
    const [outcome] = await instance.process([{ key: "o1", value: order, headers: {}, timestamp: 1 }]);
    await instance.close();
    expect(outcome).toEqual({
      ok: true,
      outputs: [
        { port: "alerts", record: { key: "o1", value: { id: "o1", total: 12 }, headers: {}, timestamp: 1 } },
        {
          port: "out",
          record: {
            key: "o1",
            value: { id: "o1", total: 12, seen: 1, token: "t" },
            headers: { checked: "yes" },
            timestamp: 1,
          },
        },
      ],
    });
  });
});
