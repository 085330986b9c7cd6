"use client";
// While a trace view is open, the canvas marks the nodes the trace passed through. The trace
// view lives in a bottom panel and the canvas beside it, so the workspace holds the marks and
// lends the trace view this setter.
import { createContext, useContext } from "react";
import type { TracedTone } from "../trace";

/** Sets the nodes to mark (null: none). */
export type MarkTraced = (nodes: ReadonlyMap<string, TracedTone> | null) => void;

const noCanvas: MarkTraced = () => undefined;

export const TraceHighlightContext = createContext<MarkTraced>(noCanvas);

export function useMarkTraced(): MarkTraced {
  return useContext(TraceHighlightContext);
}
