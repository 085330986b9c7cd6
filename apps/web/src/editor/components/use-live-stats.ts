"use client";
// Subscribes to `stats.live` (server-sent events through tRPC's httpSubscriptionLink) while the
// editor is open and visible: every second, the newest deployment's per-node and per-edge counters
// and rates. A stream holds one of the browser's few connections to the server, so a hidden tab
// gives its stream up, and only LIVE_STREAM_SLOTS tabs stream at once (live-stream-slot.ts).
import type { Unsubscribable } from "@trpc/server/observable";
import { useEffect, useState } from "react";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import type { LiveView } from "../live";
import { indexSnapshot } from "../live";
import { LIVE_STREAM_SLOTS, acquireLiveSlot } from "./live-stream-slot";

type Snapshot = RouterOutputs["stats"]["live"] extends AsyncIterable<infer S> ? S : never;
export type LiveDeployment = Snapshot["deployment"];

export interface LiveStats {
  view: LiveView | null;
  deployment: LiveDeployment | null;
  /** Set while the stream is broken (it reconnects on its own). */
  error: string | null;
  connected: boolean;
  /** Set while this tab waits for another editor tab to give up its live stream. */
  paused: string | null;
}

const PAUSED = `${String(LIVE_STREAM_SLOTS)} other editor tabs are showing live stats; this one starts when one of them is closed or hidden`;

/** `flowId` null (a new flow not saved yet): nothing to stream. */
export function useLiveStats(flowId: string | null): LiveStats {
  const [live, setLive] = useState<LiveStats>({
    view: null,
    deployment: null,
    error: null,
    connected: false,
    paused: null,
  });
  useEffect(() => {
    if (flowId === null) return;
    let subscription: Unsubscribable | null = null;
    let releaseSlot: (() => void) | null = null;
    const subscribe = (): Unsubscribable =>
      api.stats.live.subscribe(
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
              paused: null,
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
    const start = (): void => {
      if (releaseSlot !== null) return;
      releaseSlot = acquireLiveSlot({
        onSlot: () => {
          setLive((l) => ({ ...l, paused: null }));
          subscription = subscribe();
        },
        onWait: () => {
          setLive((l) => ({ ...l, connected: false, paused: PAUSED }));
        },
      });
    };
    const stop = (): void => {
      subscription?.unsubscribe();
      subscription = null;
      releaseSlot?.();
      releaseSlot = null;
    };
    const onVisibility = (): void => {
      if (document.visibilityState === "hidden") stop();
      else start();
    };
    if (document.visibilityState !== "hidden") start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      stop();
    };
  }, [flowId]);
  return live;
}
