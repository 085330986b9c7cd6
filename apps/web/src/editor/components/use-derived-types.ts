"use client";
// The port types the server derives for the selected node in the draft (flow.portTypes): a
// function's input from the registry subject of the Kafka source feeding it, a Kafka node's own
// registry type or why it has none. Asked only where a registry is involved (registry-draft.ts),
// once the draft has been still for a moment, and kept per draft so reselecting asks nothing.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { RouterOutputs } from "~/lib/trpc";
import { keys } from "~/lib/query-keys";
import { api } from "~/lib/trpc";
import type { FlowDoc } from "../graph";
import { registryDraft } from "../registry-draft";

export type DerivedTypes = RouterOutputs["flow"]["portTypes"];

/** Quiet time after the last edit before the server is asked. */
const SETTLE_MS = 300;

export function useDerivedTypes(
  doc: FlowDoc,
  nodeId: string | undefined,
): { derived: DerivedTypes | undefined; asking: boolean; error: string | null } {
  const draft = useMemo(() => registryDraft(doc, nodeId), [doc, nodeId]);
  const text = draft === null ? null : JSON.stringify(draft);
  const [settled, setSettled] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => {
      setSettled(text);
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [text]);
  const query = useQuery({
    queryKey: [...keys.derivedPortTypes, nodeId, settled],
    queryFn: () =>
      api.flow.portTypes.mutate({ spec: JSON.parse(settled ?? "{}") as FlowDoc, nodeId: nodeId ?? "" }),
    enabled: settled !== null && settled === text && nodeId !== undefined,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
  if (text === null) return { derived: undefined, asking: false, error: null };
  return {
    derived: query.data?.nodeId === nodeId ? query.data : undefined,
    asking: query.isFetching || settled !== text,
    error: query.error ? query.error.message : null,
  };
}
