"use client";
// The editor's document state: the flow being drawn with its undo history, what is selected,
// what was last saved and the problems the last save or deploy reported.
import { useCallback, useMemo, useState } from "react";
import type { FlowDoc } from "../graph";
import type { History } from "../history";
import { amend, canRedo, canUndo, record, redo, startHistory, undo } from "../history";
import type { PlacedProblems } from "../problems";

export interface Selection {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

const EMPTY: Selection = { nodes: new Set(), edges: new Set() };

export interface EditorState {
  doc: FlowDoc;
  /** The document as last saved (or loaded); unsaved changes are `doc !== saved`. */
  saved: FlowDoc;
  savedVersion: number;
  dirty: boolean;
  selection: Selection;
  problems: PlacedProblems | null;
  canUndo: boolean;
  canRedo: boolean;
  /** An edit that gets its own undo step. */
  edit(change: (doc: FlowDoc) => FlowDoc): void;
  /** Part of the edit before it (the later moves of one drag). */
  amend(change: (doc: FlowDoc) => FlowDoc): void;
  undo: () => void;
  redo: () => void;
  /** A new selection, or a change of the current one (React Flow reports node and edge selection one after the other). */
  select: (selection: Selection | ((current: Selection) => Selection)) => void;
  /** A document from the server: the saved state, with a fresh history. */
  load: (doc: FlowDoc, version: number) => void;
  markSaved: (doc: FlowDoc, version: number) => void;
  setProblems: (problems: PlacedProblems | null) => void;
}

/**
 * `savedDoc` is what the server holds: the loaded document itself, or (for a new flow from a
 * template, version 0) an empty one, so the whole canvas counts as unsaved.
 */
export function useEditorState(
  initial: FlowDoc,
  initialVersion: number,
  savedDoc: FlowDoc = initial,
): EditorState {
  const [history, setHistory] = useState<History<FlowDoc>>(() => startHistory(initial));
  const [saved, setSaved] = useState({ doc: savedDoc, version: initialVersion });
  const [selection, setSelection] = useState<Selection>(EMPTY);
  const [problems, setProblems] = useState<PlacedProblems | null>(null);
  const edit = useCallback((change: (doc: FlowDoc) => FlowDoc) => {
    setHistory((h) => record(h, change(h.present)));
  }, []);
  const amendEdit = useCallback((change: (doc: FlowDoc) => FlowDoc) => {
    setHistory((h) => amend(h, change(h.present)));
  }, []);
  const load = useCallback((doc: FlowDoc, version: number) => {
    setHistory(startHistory(doc));
    setSaved({ doc, version });
    setSelection(EMPTY);
    setProblems(null);
  }, []);
  const markSaved = useCallback((doc: FlowDoc, version: number) => {
    setSaved({ doc, version });
  }, []);

  return useMemo(
    () => ({
      doc: history.present,
      saved: saved.doc,
      savedVersion: saved.version,
      dirty: history.present !== saved.doc,
      selection,
      problems,
      canUndo: canUndo(history),
      canRedo: canRedo(history),
      edit,
      amend: amendEdit,
      undo: () => {
        setHistory((h) => undo(h));
      },
      redo: () => {
        setHistory((h) => redo(h));
      },
      select: setSelection,
      load,
      markSaved,
      setProblems,
    }),
    [history, saved, selection, problems, edit, amendEdit, load, markSaved],
  );
}
