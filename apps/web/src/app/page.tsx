import { createCaller, createContext } from "@weir/api";
import { headers } from "next/headers";
import { getDb } from "~/server/db";

// Rendered per request from the database; nothing to prerender at build time.
export const dynamic = "force-dynamic";

type FlowRow = Awaited<ReturnType<ReturnType<typeof createCaller>["flow"]["list"]>>[number];

/** generator → function → log: a flow that runs with nothing else installed. */
const exampleFlow = {
  name: "demo",
  nodes: [
    { id: "ticks", kind: "source", type: "generator", config: { intervalMs: 1000 } },
    {
      id: "double",
      kind: "function",
      type: "function",
      config: { code: "export default (r) => ({ value: { n: r.value.seq * 2 } })" },
    },
    { id: "out", kind: "sink", type: "log" },
  ],
  edges: [
    { id: "e1", from: { node: "ticks", port: "out" }, to: { node: "double" } },
    { id: "e2", from: { node: "double", port: "out" }, to: { node: "out" } },
  ],
};

/** The example as JSON with one node or edge per line: short enough to read, valid to paste. */
function exampleBody(): string {
  const lines = (items: readonly object[]): string[] =>
    items.map((item, i) => `    ${JSON.stringify(item)}${i < items.length - 1 ? "," : ""}`);
  return [
    `{"name":${JSON.stringify(exampleFlow.name)},"nodes":[`,
    ...lines(exampleFlow.nodes),
    `  ],"edges":[`,
    ...lines(exampleFlow.edges),
    `  ]}`,
  ].join("\n");
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

function DeploymentState({ deployment }: { deployment: FlowRow["deployment"] }) {
  if (!deployment) return <span className="state state-none">not deployed</span>;
  const { actualState, desiredState } = deployment;
  const settling = desiredState !== actualState;
  return (
    <span className={`state state-${actualState}`} title={`desired: ${desiredState}`}>
      {actualState}
      {settling ? ` → ${desiredState}` : ""}
    </span>
  );
}

export default async function FlowsPage() {
  const api = createCaller(createContext({ db: getDb() }));
  const flows = await api.flow.list();

  if (flows.length === 0) {
    const requestHeaders = await headers();
    const host = requestHeaders.get("host") ?? "localhost:3000";
    const protocol = requestHeaders.get("x-forwarded-proto") ?? "http";
    const curl = [
      `curl -s -X POST ${protocol}://${host}/api/trpc/flow.create \\`,
      `  -H 'content-type: application/json' \\`,
      `  -d '${exampleBody()}'`,
    ].join("\n");
    return (
      <>
        <h1>Weir — flows</h1>
        <section className="empty">
          <p>No flows yet. Create one through the API:</p>
          <pre>{curl}</pre>
        </section>
      </>
    );
  }

  return (
    <>
      <h1>Weir — flows</h1>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Version</th>
            <th>Deployment</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {flows.map((flow) => (
            <tr key={flow.id}>
              <td>
                <div>{flow.name}</div>
                {flow.description ? <div className="muted">{flow.description}</div> : null}
              </td>
              <td>v{flow.latestVersion}</td>
              <td>
                <DeploymentState deployment={flow.deployment} />
              </td>
              <td>
                <time dateTime={flow.updatedAt}>{formatTime(flow.updatedAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
