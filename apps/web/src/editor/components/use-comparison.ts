"use client";
// The two flows a comparison shows (saved versions fetched once each, or the canvas as it is now)
// and what differs between them. The Versions tab and the comparison canvas share it; React
// Query shares the fetches.
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { keys } from "~/lib/query-keys";
import { api } from "~/lib/trpc";
import type { Side } from "../compare-graph";
import type { FlowDoc } from "../graph";
import { docOfSpec } from "../graph";
import type { FlowDiff } from "../version-diff";
import { diffFlows } from "../version-diff";

export interface CompareSides {
  from: Side;
  to: Side;
}

export interface ComparedDocs {
  before: FlowDoc | undefined;
  after: FlowDoc | undefined;
  diff: FlowDiff | null;
  error: Error | null;
}

function useSide(flowId: string | null, side: Side, canvas: FlowDoc, enabled: boolean) {
  const query = useQuery({
    queryKey: [...keys.versions(flowId ?? "new"), "spec", side],
    queryFn: async (): Promise<FlowDoc> =>
      docOfSpec((await api.flow.get.query({ id: flowId ?? "", version: side as number })).spec),
    enabled: enabled && flowId !== null && side !== "canvas",
    staleTime: Infinity,
  });
  return side === "canvas" ? { data: canvas, error: null } : { data: query.data, error: query.error };
}

/**
 * `enabled` false fetches nothing (the editor opens without asking for any old version); nor does a
 * flow not saved yet (`flowId` null), which has no versions.
 */
export function useComparison(
  flowId: string | null,
  sides: CompareSides,
  canvas: FlowDoc,
  enabled = true,
): ComparedDocs {
  const before = useSide(flowId, sides.from, canvas, enabled);
  const after = useSide(flowId, sides.to, canvas, enabled);
  const diff = useMemo(
    () => (before.data && after.data ? diffFlows(before.data, after.data) : null),
    [before.data, after.data],
  );
  return { before: before.data, after: after.data, diff, error: before.error ?? after.error };
}

/** "v2", or "unsaved canvas". */
export const sideLabel = (side: Side): string => (side === "canvas" ? "unsaved canvas" : `v${String(side)}`);
