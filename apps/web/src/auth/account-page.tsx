"use client";
// The signed-in person's page: change password, and their API tokens (an admin sees everyone's).
import { useState } from "react";
import { AppBar } from "~/components/app-bar";
import { NewPasswordField, TextField } from "~/components/fields";
import { changePassword } from "./auth-client";
import { useSession } from "./session";
import { TokensSection } from "./tokens-section";

export function AccountPage() {
  const session = useSession();
  return (
    <>
      <AppBar />
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Your account</h1>
            <p className="field-help">
              {session.email}, {session.role}
            </p>
          </div>
        </div>
        <ChangePassword />
        <TokensSection />
      </main>
    </>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <section className="manage-section">
      <h2>Password</h2>
      <form
        className="manage-form"
        data-testid="change-password-form"
        onSubmit={(e) => {
          e.preventDefault();
          void changePassword(current, next).then((answer) => {
            setMessage(
              answer.ok
                ? { ok: true, text: "Password changed; your other sessions were signed out." }
                : { ok: false, text: answer.message },
            );
            if (answer.ok) {
              setCurrent("");
              setNext("");
            }
          });
        }}
      >
        <TextField
          type="password"
          autoComplete="current-password"
          required
          data-testid="current-password"
          value={current}
          onValue={setCurrent}
        >
          Current password
        </TextField>
        <NewPasswordField data-testid="new-password" value={next} onValue={setNext}>
          New password
        </NewPasswordField>
        <button type="submit" className="btn" data-testid="change-password-submit">
          Change password
        </button>
        {message ? (
          <p role={message.ok ? "status" : "alert"} className={message.ok ? "field-help" : "field-error"}>
            {message.text}
          </p>
        ) : null}
      </form>
    </section>
  );
}
