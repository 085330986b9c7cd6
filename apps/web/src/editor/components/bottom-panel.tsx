"use client";
// Tabs under the canvas: Test, Run flow, Logs, State, Dead letters, Versions, Problems.
import type { ReactNode } from "react";

export type BottomTab = "test" | "dry-run" | "logs" | "state" | "dead-letters" | "versions" | "problems";

const TABS: { id: BottomTab; label: string }[] = [
  { id: "test", label: "Test" },
  { id: "dry-run", label: "Run flow" },
  { id: "logs", label: "Logs" },
  { id: "state", label: "State" },
  { id: "dead-letters", label: "Dead letters" },
  { id: "versions", label: "Versions" },
  { id: "problems", label: "Problems" },
];

interface Props {
  tab: BottomTab;
  onTab: (tab: BottomTab) => void;
  badges: Partial<Record<BottomTab, number>>;
  children: ReactNode;
}

export function BottomPanel({ tab, onTab, badges, children }: Props) {
  return (
    <section className="bottom-panel">
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={`tab${tab === t.id ? " tab-active" : ""}`}
            data-testid={`tab-${t.id}`}
            onClick={() => {
              onTab(t.id);
            }}
          >
            {t.label}
            {badges[t.id] ? (
              <span
                className={`tab-badge${t.id === "problems" || t.id === "dead-letters" ? " tab-badge-bad" : ""}`}
              >
                {badges[t.id]}
              </span>
            ) : null}
          </button>
        ))}
      </div>
      <div className="bottom-body" role="tabpanel">
        {children}
      </div>
    </section>
  );
}
