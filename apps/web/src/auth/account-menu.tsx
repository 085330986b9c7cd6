"use client";
// The signed-in person in the app bar: who and what role, their account page, admin pages, sign out.
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { signOut } from "./auth-client";
import { useSession } from "./session";

export function AccountMenu() {
  const session = useSession();
  const queryClient = useQueryClient();
  return (
    <div className="account-menu" data-testid="account-menu">
      {session.can("admin") ? (
        <>
          <Link href="/users" className="app-nav-link" data-testid="nav-users">
            Users
          </Link>
          <Link href="/audit" className="app-nav-link" data-testid="nav-audit">
            Audit log
          </Link>
        </>
      ) : null}
      <Link
        href="/account"
        className="app-nav-link"
        data-testid="nav-account"
        title="Password and API tokens"
      >
        {session.email} <span className="account-role">({session.role})</span>
      </Link>
      <button
        type="button"
        className="btn btn-small btn-on-dark"
        data-testid="sign-out"
        onClick={() => {
          void signOut().then(() => queryClient.resetQueries());
        }}
      >
        Sign out
      </button>
    </div>
  );
}
