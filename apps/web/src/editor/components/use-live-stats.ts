"use client";
// Subscribes to `stats.live` (server-sent events through tRPC's httpSubscriptionLink) while the
// editor is open: every second, the newest deployment's per-node and per-edge counters and rates.
import { useEffect, useState } from "react";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import type { LiveView } from "../live";
import { indexSnapshot } from "../live";

type Snapshot = RouterOutputs["stats"]["live"] extends AsyncIterable<infer S> ? S : never;
export type LiveDeployment = Snapshot["deployment"];

export interface LiveStats {
  view: LiveView | null;
  deployment: LiveDeployment | null;
  /** Set while the stream is broken (it reconnects on its own). */
  error: string | null;
  connected: boolean;
}

export function useLiveStats(flowId: string): LiveStats {
  const [live, setLive] = useState<LiveStats>({
    view: null,
    deployment: null,
    error: null,
    connected: false,
  });
  useEffect(() => {
    const subscription = api.stats.live.subscribe(
      { flowId },
      {
        onStarted: () => {
          setLive((l) => ({ ...l, connected: true, error: null }));
        },
        onData: (snapshot) => {
          setLive({
            view: indexSnapshot(snapshot),
            deployment: snapshot.deployment,
            error: null,
            connected: true,
          });
        },
        onError: (error) => {
          setLive((l) => ({ ...l, connected: false, error: errorMessage(error) }));
        },
        onConnectionStateChange: (state) => {
          if (state.state === "connecting" && state.error)
            setLive((l) => ({ ...l, connected: false, error: errorMessage(state.error) }));
        },
      },
    );
    return () => {
      subscription.unsubscribe();
    };
  }, [flowId]);
  return live;
}
