"use client";
// A list page's query in its four states, as every management page shows them: loading, failed
// (saying why), empty, or its rows. Test ids: `<testId>-loading`, `-error`, `-empty`.
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { errorMessage } from "~/lib/trpc";

interface Props<T extends readonly unknown[]> {
  query: UseQueryResult<T>;
  testId: string;
  /** What is listed, plural: "Loading <what>…", "Could not load the <what>: …". */
  what: string;
  /** The empty state's heading and hint. */
  empty: ReactNode;
  /** Offers a Retry button beside a failure. */
  retry?: boolean;
  children: (rows: T) => ReactNode;
}

export function ListState<T extends readonly unknown[]>({
  query,
  testId,
  what,
  empty,
  retry = false,
  children,
}: Props<T>) {
  if (query.isPending) {
    return (
      <div className="panel-state" data-testid={`${testId}-loading`}>
        Loading {what}…
      </div>
    );
  }
  if (query.isError) {
    return (
      <div className="panel-state panel-error" data-testid={`${testId}-error`} role="alert">
        Could not load the {what}: {errorMessage(query.error)}
        {retry ? (
          <>
            {" "}
            <button type="button" className="btn btn-small" onClick={() => void query.refetch()}>
              Retry
            </button>
          </>
        ) : null}
      </div>
    );
  }
  if (query.data.length === 0) {
    return (
      <div className="empty" data-testid={`${testId}-empty`}>
        {empty}
      </div>
    );
  }
  return <>{children(query.data)}</>;
}
