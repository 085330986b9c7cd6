"use client";
// "Roll back to vN" in a comparison (the Versions tab's Compare and the comparison canvas): back to
// the compared version that is not the latest, through the same confirm and rollback as the
// Versions table. Needs the editor role; a viewer sees it disabled with the reason.
import { useSession } from "~/auth/session";
import { rollbackTarget } from "../compare-graph";
import type { CompareSides } from "./use-comparison";

interface Props {
  sides: CompareSides;
  latestVersion: number;
  busy: boolean;
  testId: string;
  onRollback: (version: number) => void;
}

export function CompareRollbackButton({ sides, latestVersion, busy, testId, onRollback }: Props) {
  const blocked = useSession().whyNot("editor", "Rolling back");
  const target = rollbackTarget(sides.from, sides.to, latestVersion);
  if (target === null) return null;
  return (
    <button
      type="button"
      className="btn btn-small"
      data-testid={testId}
      disabled={busy || blocked !== undefined}
      title={blocked ?? `Save v${String(target)} again as the newest version (nothing is lost)`}
      onClick={() => {
        onRollback(target);
      }}
    >
      Roll back to v{target}
    </button>
  );
}
