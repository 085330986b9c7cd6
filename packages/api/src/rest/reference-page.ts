// A browsable reference of /api/v1, rendered on the server from the OpenAPI document: plain HTML
// and inline CSS, no script and nothing fetched from elsewhere (served at /api/v1/docs).

type Json = Record<string, unknown>;

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const str = (value: unknown, fallback = ""): string => (typeof value === "string" ? value : fallback);

const code = (value: unknown): string => `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;

function parametersTable(parameters: Json[]): string {
  if (parameters.length === 0) return "";
  const rows = parameters
    .map(
      (p) =>
        `<tr><td><code>${escape(String(p.name))}</code></td><td>${escape(String(p.in))}</td>` +
        `<td>${p.required === true ? "yes" : ""}</td><td><code>${escape(JSON.stringify(p.schema ?? {}))}</code></td></tr>`,
    )
    .join("");
  return `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${rows}</table>`;
}

function operationHtml(method: string, path: string, op: Json): string {
  const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.[
    "application/json"
  ]?.schema;
  const responses = Object.entries((op.responses ?? {}) as Record<string, { description?: string }>)
    .map(([status, r]) => `<li><b>${escape(status)}</b> ${escape(r.description ?? "")}</li>`)
    .join("");
  const id = escape(str(op.operationId, `${method}-${path}`));
  return `<section id="${id}"><h3><span class="m ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p>${escape(str(op.summary))}. ${escape(str(op.description))}</p>
${parametersTable((op.parameters ?? []) as Json[])}
${body === undefined ? "" : `<details><summary>request body (application/json)</summary>${code(body)}</details>`}
<ul>${responses}</ul></section>`;
}

export function referencePage(doc: Json, documentUrl: string): string {
  const info = (doc.info ?? {}) as { title?: string; description?: string; version?: string };
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags as string[] | undefined)?.[0] ?? "other";
      const list = byTag.get(tag) ?? [];
      list.push(operationHtml(method, path, op));
      byTag.set(tag, list);
    }
  }
  const sections = [...byTag]
    .map(([tag, ops]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${ops.join("\n")}`)
    .join("\n");
  const toc = [...byTag.keys()].map((tag) => `<a href="#tag-${escape(tag)}">${escape(tag)}</a>`).join(" · ");
  const schemas = (doc.components as { schemas?: Record<string, unknown> } | undefined)?.schemas ?? {};
  const components = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<details id="schema-${escape(name)}"><summary>${escape(name)}</summary>${code(schema)}</details>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(info.title ?? "API")} reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f5f7;padding:.6rem;overflow:auto;max-height:30rem}
section{border-top:1px solid #ddd;padding:.4rem 0}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
.m{display:inline-block;min-width:4.5rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:.1rem .3rem}
.get{background:#2f6fdb}.post{background:#1e8a4c}.put{background:#b7791f}.delete{background:#c53030}
</style></head><body>
<h1>${escape(info.title ?? "API")} <small>${escape(info.version ?? "")}</small></h1>
<p>${escape(info.description ?? "")}</p>
<p>Machine-readable: <a href="${escape(documentUrl)}">${escape(documentUrl)}</a> (OpenAPI ${escape(str(doc.openapi))}).</p>
<nav>${toc}</nav>
${sections}
<h2>Schemas</h2>
${components}
</body></html>
`;
}
