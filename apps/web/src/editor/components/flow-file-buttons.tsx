"use client";
// Export and Import of the flow file (flows as code: what `weir flows export` writes and `weir flows
// apply` reads) in the editor's header. Export downloads the flow as the editor holds it, saved or
// not; Import replaces the canvas with a file's flow as one undoable edit, saved only by Save.
import { useRef, useState } from "react";
import { flowDocFromText, flowDocToYaml } from "../flow-file";
import type { FlowDoc } from "../graph";

interface Props {
  doc: FlowDoc;
  onImport: (doc: FlowDoc) => void;
}

const fileName = (name: string): string =>
  `${
    name
      .trim()
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "flow"
  }.yaml`;

export function FlowFileButtons({ doc, onImport }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [problems, setProblems] = useState<string[]>([]);

  const exportFile = (): void => {
    const url = URL.createObjectURL(new Blob([flowDocToYaml(doc)], { type: "application/yaml" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName(doc.name);
    link.click();
    URL.revokeObjectURL(url);
  };

  const importFile = async (file: File): Promise<void> => {
    const result = flowDocFromText(await file.text());
    if (!result.ok) {
      setProblems(result.problems.map((p) => `${file.name}: ${p}`));
      return;
    }
    setProblems([]);
    onImport(result.doc);
  };

  return (
    <div className="btn-group">
      <button
        type="button"
        className="btn"
        data-testid="export-flow-file"
        title="Download this flow as a YAML flow file (weir flows apply -f reads it)"
        onClick={exportFile}
      >
        Export
      </button>
      <button
        type="button"
        className="btn"
        data-testid="import-flow-file"
        title="Replace this flow with a YAML or JSON flow file (undo with Ctrl+Z; Save keeps it)"
        onClick={() => input.current?.click()}
      >
        Import
      </button>
      <input
        ref={input}
        type="file"
        accept=".yaml,.yml,.json,application/yaml,application/json"
        hidden
        data-testid="import-flow-file-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) void importFile(file);
        }}
      />
      {problems.length > 0 ? (
        <span className="tag tag-bad" role="alert" data-testid="import-problems" title={problems.join("\n")}>
          import refused: {problems[0]}
          {problems.length > 1 ? ` (+${problems.length - 1} more)` : ""}
        </span>
      ) : null}
    </div>
  );
}
