"use client";
// Engines: every engine process that registered, whether it is alive (a heartbeat in the last
// 15 s), how long it has been up, when it last reported, what it runs, how busy it is and its
// resident memory (from its /metrics).
// Polled every 2 s so a stopped engine turns dead here without a reload.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { AppBar } from "~/components/app-bar";
import { ListState } from "~/components/list-state";
import { formatBytes, formatDuration, formatRate } from "~/lib/format";
import { keys } from "~/lib/query-keys";
import { api } from "~/lib/trpc";

/** Re-renders every second so ages ("3 s ago") move between polls. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return now;
}

export function EnginesPage() {
  const engines = useQuery({
    queryKey: keys.engines,
    queryFn: () => api.engine.list.query(),
    refetchInterval: 2000,
  });
  const now = useNow();
  const alive = engines.data?.filter((e) => e.alive).length ?? 0;

  return (
    <>
      <AppBar />
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Engines</h1>
            <p className="muted">
              The processes that run deployed flows. An engine is alive while it reports at least every 15 s;
              with none alive, a deploy waits as pending.
            </p>
          </div>
          {engines.isSuccess ? (
            <span
              className={`tag ${alive > 0 ? "tag-ok" : "tag-bad"}`}
              data-testid="engines-alive-count"
              data-alive={alive}
            >
              {alive} alive
            </span>
          ) : null}
        </div>

        <ListState
          query={engines}
          testId="engines"
          what="engines"
          empty={
            <>
              <h2>No engine has ever registered</h2>
              <p className="muted">
                Start one: <code>npm start</code> runs an engine beside the editor.
              </p>
            </>
          }
        >
          {(rows) => (
            <table className="flows-table" data-testid="engines-list">
              <thead>
                <tr>
                  <th>Engine</th>
                  <th>State</th>
                  <th>Transport</th>
                  <th>Up</th>
                  <th>Last heartbeat</th>
                  <th>Runs</th>
                  <th>Records/s</th>
                  <th>Memory</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((engine) => (
                  <tr key={engine.id} data-testid={`engine-row-${engine.id}`}>
                    <td>
                      <code>{engine.id}</code>
                      <div className="muted small">{engine.ingestUrl}</div>
                    </td>
                    <td>
                      <span
                        className={`state ${engine.alive ? "state-running" : "state-failed"}`}
                        data-testid={`engine-state-${engine.id}`}
                        data-state={engine.alive ? "alive" : "dead"}
                      >
                        {engine.alive ? "alive" : "not responding"}
                      </span>
                    </td>
                    <td className="small" data-testid={`engine-transport-${engine.id}`}>
                      <span
                        className="tag"
                        data-transport={engine.transport}
                        title={
                          engine.transport === "kafka"
                            ? "Records cross each edge through a Kafka topic: engines share the partitions"
                            : "Records cross each edge in memory inside this engine"
                        }
                      >
                        {engine.transport}
                      </span>
                    </td>
                    <td className="small">
                      {engine.alive ? formatDuration(now - Date.parse(engine.startedAt)) : "—"}
                    </td>
                    <td className="small" data-testid={`engine-heartbeat-${engine.id}`}>
                      <time dateTime={engine.heartbeatAt}>
                        {formatDuration(now - Date.parse(engine.heartbeatAt))} ago
                      </time>
                    </td>
                    <td data-testid={`engine-deployments-${engine.id}`}>
                      {engine.deployments.length === 0 ? (
                        <span className="muted small">nothing</span>
                      ) : (
                        <ul className="plain-list">
                          {engine.deployments.map((d) => (
                            <li key={d.id}>
                              <Link href={`/flows/${d.flowId}`} className="flow-link">
                                {d.flowName}
                              </Link>{" "}
                              <span className="muted small">
                                v{d.version} · {d.actualState}
                              </span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="small" data-testid={`engine-rate-${engine.id}`}>
                      {formatRate(engine.recordsPerSec)}
                    </td>
                    <td className="small" data-testid={`engine-memory-${engine.id}`}>
                      {engine.memoryBytes === null ? "—" : formatBytes(engine.memoryBytes)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ListState>
      </main>
    </>
  );
}
