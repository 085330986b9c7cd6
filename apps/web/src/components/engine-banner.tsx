"use client";
// The editor's warning strip: no engine alive (a deploy would stay pending), or this flow's
// deployment failed to start, with the engine's reason. Nothing shows while all is well.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { keys } from "~/lib/query-keys";
import { api } from "~/lib/trpc";

interface Deployment {
  desiredState: string;
  actualState: string;
  error: string | null;
  version: number;
}

export function EngineBanner({ deployment }: { deployment: Deployment | null }) {
  const engines = useQuery({
    queryKey: keys.engines,
    queryFn: () => api.engine.list.query(),
    refetchInterval: 3000,
  });
  const noEngine = engines.isSuccess && !engines.data.some((e) => e.alive);
  const failed = deployment?.actualState === "failed";
  if (!noEngine && !failed) return null;
  return (
    <div className="engine-banner" role="alert" data-testid="engine-banner">
      {noEngine ? (
        <p data-testid="engine-banner-none">
          <strong>No engine is running.</strong>{" "}
          {deployment?.desiredState === "running"
            ? "This flow's deployment waits until one starts."
            : "A deploy would stay pending until one starts."}{" "}
          <Link href="/engines">See the engines</Link>
        </p>
      ) : null}
      {failed ? (
        <p data-testid="engine-banner-failed">
          <strong>v{deployment.version} failed to start:</strong>{" "}
          <span data-testid="engine-banner-reason">{deployment.error ?? "the engine gave no reason"}</span>
        </p>
      ) : null}
    </div>
  );
}
