// The browser side of better-auth's endpoints (/api/auth/*): plain fetches, same origin, so the
// session cookie is set and sent by the browser and never touched by script.
export interface AuthAnswer {
  ok: boolean;
  /** better-auth's message when refused, e.g. "Invalid email or password". */
  message: string;
  status: number;
}

async function post(path: string, body: unknown): Promise<AuthAnswer> {
  const res = await fetch(`/api/auth${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let message = "";
  try {
    const data = (await res.json()) as { message?: string } | null;
    message = data?.message ?? "";
  } catch {
    message = "";
  }
  if (res.status === 429) message = "Too many attempts. Wait a minute, then try again.";
  return { ok: res.ok, status: res.status, message: message || `the server answered ${res.status}` };
}

export const signIn = (email: string, password: string) => post("/sign-in/email", { email, password });
export const signOut = () => post("/sign-out", {});
export const changePassword = (currentPassword: string, newPassword: string) =>
  post("/change-password", { currentPassword, newPassword, revokeOtherSessions: true });
