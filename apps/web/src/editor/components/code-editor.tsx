"use client";
// Monaco touches `window` when it loads, so it is loaded in the browser only, on first use.
import dynamic from "next/dynamic";
import type { CodeEditorProps } from "./code-editor-impl";

const CodeEditorImpl = dynamic(() => import("./code-editor-impl"), {
  ssr: false,
  loading: () => (
    <div className="code-loading" data-testid="code-editor-loading">
      Loading the code editor…
    </div>
  ),
});

export function CodeEditor(props: CodeEditorProps) {
  return (
    <div className="code-editor" data-testid="code-editor">
      <CodeEditorImpl {...props} />
    </div>
  );
}
