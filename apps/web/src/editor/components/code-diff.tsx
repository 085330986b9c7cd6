"use client";
// Monaco's diff editor for one function's code, loaded in the browser only and on first use, like
// the code editor: the editor page's own JavaScript stays as light as before.
import dynamic from "next/dynamic";
import type { CodeDiffProps } from "./code-diff-impl";

const CodeDiffImpl = dynamic(() => import("./code-diff-impl"), {
  ssr: false,
  loading: () => (
    <div className="code-loading" data-testid="code-diff-loading">
      Loading the diff editor…
    </div>
  ),
});

// `nokey` for the same reason as the code editor: React Flow's pan key must not eat keys typed here.
export function CodeDiff({ testId, ...props }: CodeDiffProps & { testId: string }) {
  return (
    <div className="code-diff nokey" data-testid={testId}>
      <CodeDiffImpl {...props} />
    </div>
  );
}
