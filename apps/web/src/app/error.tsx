"use client";
// Anything a page throws while rendering ends here instead of a blank screen.
import Link from "next/link";

export default function PageError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="editor-state" data-testid="page-error" role="alert">
      <h2>Something went wrong on this page</h2>
      <p>{error.message || "An unexpected error occurred."}</p>
      <p>
        <button type="button" className="btn" onClick={reset}>
          Try again
        </button>{" "}
        <Link href="/" className="btn btn-ghost">
          All flows
        </Link>
      </p>
    </div>
  );
}
