"use client";
// Typing in a field or in Monaco makes one undo step per burst, not one per keystroke: edits to
// the same target within a second and a half amend the step before.
import { useCallback, useRef } from "react";
import type { FlowDoc } from "../graph";
import type { EditorState } from "./use-editor-state";

const BURST_MS = 1500;

export function useCoalescedEdit(
  state: Pick<EditorState, "edit" | "amend">,
): (target: string, change: (doc: FlowDoc) => FlowDoc) => void {
  const last = useRef<{ target: string; at: number } | null>(null);
  const { edit, amend } = state;
  return useCallback(
    (target: string, change: (doc: FlowDoc) => FlowDoc) => {
      const now = Date.now();
      if (last.current?.target === target && now - last.current.at < BURST_MS) amend(change);
      else edit(change);
      last.current = { target, at: now };
    },
    [edit, amend],
  );
}
