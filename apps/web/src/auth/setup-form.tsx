"use client";
// The first page of a fresh install: nobody can sign in yet, so the person who installed Weir
// makes the first admin here. Shown only while no account with a password exists.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError, NewPasswordField, TextField } from "~/components/fields";
import { api, errorMessage } from "~/lib/trpc";
import { signIn } from "./auth-client";

export function SetupForm() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (): Promise<void> => {
    if (password !== repeat) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.account.setup.mutate({ email, password });
      const answer = await signIn(email, password);
      if (!answer.ok) setError(answer.message);
      await queryClient.resetQueries();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="auth-page">
      <form
        className="auth-card"
        data-testid="setup-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>Welcome to Weir</h1>
        <p className="field-help">
          Create the first admin account. There is no default password: this account is how you, and then the
          people you add, sign in.
        </p>
        <TextField
          type="email"
          autoComplete="username"
          required
          data-testid="setup-email"
          value={email}
          onValue={setEmail}
        >
          Email
        </TextField>
        <NewPasswordField data-testid="setup-password" value={password} onValue={setPassword}>
          Password
        </NewPasswordField>
        <TextField
          type="password"
          autoComplete="new-password"
          required
          data-testid="setup-password-repeat"
          value={repeat}
          onValue={setRepeat}
        >
          Password again
        </TextField>
        <FormError message={error} testId="setup-error" />
        <button type="submit" className="btn btn-primary" data-testid="setup-submit" disabled={busy}>
          {busy ? "Creating…" : "Create admin and sign in"}
        </button>
      </form>
    </main>
  );
}
