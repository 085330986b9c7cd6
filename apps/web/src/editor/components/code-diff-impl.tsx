"use client";
// The diff editor itself, built with monaco.editor.createDiffEditor rather than
// @monaco-editor/react's <DiffEditor>: that one disposes its two models before the widget on
// unmount, which Monaco >= 0.51 reports as an uncaught "TextModel got disposed before
// DiffEditorWidget model got reset" (monaco-react#647). Here the widget lets go of the models
// first, then everything is disposed.
import { useEffect, useRef } from "react";
import { configureContract, monaco } from "./monaco-setup";

export interface CodeDiffProps {
  before: string;
  after: string;
  /** As the code editor's: TypeScript and JavaScript with the contract's types, Python highlighted. */
  language: "typescript" | "javascript" | "python";
  contract: string;
  /** Lines the diff shows (both sides' lines, common ones once): the editor's height follows. */
  lines: number;
  /** What the two sides are, for screen readers ("v2", "v3"). */
  beforeLabel: string;
  afterLabel: string;
}

const LINE_PX = 19;
const MAX_PX = 360;

export default function CodeDiffImpl({
  before,
  after,
  language,
  contract,
  lines,
  beforeLabel,
  afterLabel,
}: CodeDiffProps) {
  const host = useRef<HTMLDivElement>(null);
  configureContract(contract);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const original = monaco.editor.createModel(before, language);
    const modified = monaco.editor.createModel(after, language);
    const editor = monaco.editor.createDiffEditor(element, {
      readOnly: true,
      // The hidden textarea, as in the code editor: it carries the aria labels set below, where
      // Monaco's EditContext element has none (axe: aria-input-field-name).
      editContext: false,
      originalEditable: false,
      // Inline (one column, removed lines above added ones): the bottom panel is narrow, and it
      // reads as the unified diff people know from code review.
      renderSideBySide: false,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      renderOverviewRuler: false,
      fontSize: 13,
      lineNumbersMinChars: 3,
      wordWrap: "on",
      diffWordWrap: "on",
    });
    editor.setModel({ original, modified });
    // The construction options' originalAriaLabel/modifiedAriaLabel do not reach the inner
    // editors' text areas (axe found them unnamed); set on each editor, they do.
    editor.getOriginalEditor().updateOptions({ ariaLabel: `code in ${beforeLabel}` });
    editor
      .getModifiedEditor()
      .updateOptions({ ariaLabel: `code in ${afterLabel}, changes from ${beforeLabel} marked` });
    return () => {
      editor.setModel(null);
      editor.dispose();
      original.dispose();
      modified.dispose();
    };
  }, [before, after, language, beforeLabel, afterLabel]);

  return (
    <div
      ref={host}
      className="code-diff-host"
      style={{ height: `${String(Math.min(MAX_PX, lines * LINE_PX + 12))}px` }}
    />
  );
}
