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

// `nokey`: React Flow listens for its pan key (Space) on the whole document and lets it through
// only from INPUT, SELECT, TEXTAREA, [contenteditable] or an element inside `.nokey`
// (@xyflow/system isInputDOMNode). Monaco types into a plain <div class="native-edit-context">
// (the EditContext API), so without this every Space typed in the code was preventDefault()ed.
export function CodeEditor(props: CodeEditorProps) {
  return (
    <div className="code-editor nokey" data-testid="code-editor">
      <CodeEditorImpl {...props} />
    </div>
  );
}
