"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError, TextField } from "~/components/fields";
import { signIn } from "./auth-client";

export function SignInForm() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main className="auth-page">
      <form
        className="auth-card"
        data-testid="sign-in-form"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          void signIn(email, password).then(async (answer) => {
            setBusy(false);
            if (!answer.ok) {
              setError(answer.message);
              return;
            }
            setPassword("");
            await queryClient.resetQueries();
          });
        }}
      >
        <h1>Sign in to Weir</h1>
        <TextField
          type="email"
          autoComplete="username"
          required
          data-testid="sign-in-email"
          value={email}
          onValue={setEmail}
        >
          Email
        </TextField>
        <TextField
          type="password"
          autoComplete="current-password"
          required
          data-testid="sign-in-password"
          value={password}
          onValue={setPassword}
        >
          Password
        </TextField>
        <FormError message={error} testId="sign-in-error" />
        <button type="submit" className="btn btn-primary" data-testid="sign-in-submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="field-help">Accounts are made by an admin of this Weir; there is no sign-up.</p>
      </form>
    </main>
  );
}
