"use client";
// The editor's keyboard shortcuts. Ctrl+S works everywhere (also in Monaco and form fields); the
// others only when focus is not in something that edits text, whose own undo and delete win.
import { useEffect, useRef } from "react";

export interface ShortcutActions {
  save: () => void;
  undo: () => void;
  redo: () => void;
  deleteSelection: () => void;
  copy: () => void;
  paste: () => void;
}

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest("input, textarea, select, .monaco-editor") !== null;
}

export function useShortcuts(actions: ShortcutActions): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === "s") {
        event.preventDefault();
        latest.current.save();
        return;
      }
      if (typingInto(event.target) || document.querySelector("[role=dialog]")) return;
      if (mod && key === "z" && !event.shiftKey) latest.current.undo();
      else if (mod && ((key === "z" && event.shiftKey) || key === "y")) latest.current.redo();
      else if (mod && key === "c") latest.current.copy();
      else if (mod && key === "v") latest.current.paste();
      else if (!mod && (event.key === "Delete" || event.key === "Backspace"))
        latest.current.deleteSelection();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
    };
  }, []);
}
