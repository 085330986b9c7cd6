"use client";
// Who is using the editor. Until someone has signed in, every page shows the sign-in form (or,
// on a fresh install, the one-time setup form); the API refuses everything else anyway, so this
// only spares people a page of errors. `useSession().can(role)` drives the disabled buttons.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { createContext, useContext } from "react";
import type { Role } from "@weir/auth/roles";
import { roleAtLeast } from "@weir/auth/roles";
import { api, errorMessage } from "~/lib/trpc";
import { SetupForm } from "./setup-form";
import { SignInForm } from "./sign-in-form";

export interface SessionView {
  email: string;
  role: Role;
  /** Whether the signed-in person holds at least `role`. */
  can: (role: Role) => boolean;
  /** Why a control needing `role` is disabled, or undefined when it is not. */
  whyNot: (role: Role, action: string) => string | undefined;
}

const SessionContext = createContext<SessionView | null>(null);

export const SESSION_KEY = ["account", "status"] as const;

export function useSession(): SessionView {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside AuthGate");
  return session;
}

export function AuthGate({ children }: { children: ReactNode }) {
  const status = useQuery({ queryKey: SESSION_KEY, queryFn: () => api.account.status.query() });
  if (status.isPending) return <p className="auth-loading">Loading…</p>;
  if (status.isError) {
    return (
      <main className="auth-page">
        <p role="alert" className="field-error">
          Cannot reach Weir: {errorMessage(status.error)}
        </p>
      </main>
    );
  }
  if (status.data.needsSetup) return <SetupForm />;
  const principal = status.data.principal;
  if (!principal) return <SignInForm />;
  const view: SessionView = {
    email: principal.email,
    role: principal.role,
    can: (role) => roleAtLeast(principal.role, role),
    whyNot: (role, action) =>
      roleAtLeast(principal.role, role)
        ? undefined
        : `${action} needs the ${role} role; you are a ${principal.role}. Ask an admin.`,
  };
  return <SessionContext.Provider value={view}>{children}</SessionContext.Provider>;
}
