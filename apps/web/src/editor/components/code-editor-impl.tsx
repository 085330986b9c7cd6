"use client";
// Monaco for one function node's code, with the contract's types and the lines the last test or
// save found wrong highlighted (a marker with the message, and the whole line tinted).
import Editor from "@monaco-editor/react";
import type * as Monaco from "monaco-editor";
import { useEffect, useRef } from "react";
import { configureContract, monaco, setInputType } from "./monaco-setup";

const EXTENSIONS = { typescript: "ts", javascript: "js", python: "py" } as const;

export interface CodeMarker {
  line: number;
  column?: number;
  message: string;
}

export interface CodeEditorProps {
  flowId: string;
  nodeId: string;
  value: string;
  /** Monaco's language: TypeScript and JavaScript get the contract's types; Python its highlighting. */
  language: "typescript" | "javascript" | "python";
  contract: string;
  /** The declaration of `Input` for this node (port-types.ts inputTypeDeclaration). */
  inputType: string;
  markers: readonly CodeMarker[];
  onChange: (code: string) => void;
}

export default function CodeEditorImpl({
  flowId,
  nodeId,
  value,
  language,
  contract,
  inputType,
  markers,
  onChange,
}: CodeEditorProps) {
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const decorations = useRef<Monaco.editor.IEditorDecorationsCollection | null>(null);
  configureContract(contract);
  setInputType(inputType);

  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model) return;
    const lines = model.getLineCount();
    const clamped = markers.map((m) => ({ ...m, line: Math.min(Math.max(1, m.line), lines) }));
    monaco.editor.setModelMarkers(
      model,
      "weir",
      clamped.map((m) => ({
        severity: monaco.MarkerSeverity.Error,
        message: m.message,
        startLineNumber: m.line,
        startColumn: m.column ?? 1,
        endLineNumber: m.line,
        endColumn: model.getLineMaxColumn(m.line),
      })),
    );
    decorations.current ??= editor.createDecorationsCollection();
    decorations.current.set(
      clamped.map((m) => ({
        range: new monaco.Range(m.line, 1, m.line, 1),
        options: {
          isWholeLine: true,
          className: "weir-error-line",
          glyphMarginClassName: "weir-error-glyph",
          hoverMessage: { value: m.message },
        },
      })),
    );
    const first = clamped[0];
    if (first) editor.revealLineInCenterIfOutsideViewport(first.line);
  }, [markers, value]);

  return (
    <Editor
      // One model per node, so each keeps its own undo stack and TypeScript sees it as its own file.
      path={`file:///flow/${flowId}/${nodeId}.${EXTENSIONS[language]}`}
      language={language}
      value={value}
      theme="vs"
      loading={
        <div className="code-loading" data-testid="code-editor-loading">
          Loading the code editor…
        </div>
      }
      options={{
        automaticLayout: true,
        // Monaco's input through the EditContext API is marked experimental; typed fast, with the
        // suggestion list opening, keys landed in the wrong place (the browser tests saw it), so
        // it uses its hidden textarea. (Were EditContext on, `.nokey` on the pane keeps Space.)
        editContext: false,
        wordWrap: "on",
        minimap: { enabled: false },
        fontSize: 13,
        lineNumbersMinChars: 3,
        scrollBeyondLastLine: false,
        tabSize: 2,
        glyphMargin: true,
        fixedOverflowWidgets: true,
        renderLineHighlight: "line",
      }}
      onMount={(editor) => {
        editorRef.current = editor;
        // Monaco keeps a model per path for the whole page, so one opened before (then changed by
        // undo, a rollback or another flow with the same node id) may hold older code: the
        // document is what counts.
        if (editor.getValue() !== value) editor.getModel()?.setValue(value);
        decorations.current = editor.createDecorationsCollection();
      }}
      onChange={(code) => {
        onChange(code ?? "");
      }}
    />
  );
}
