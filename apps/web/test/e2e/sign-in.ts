// Signing in outside the page, for tests whose story starts after sign-in (auth.e2e.test.ts
// signs in by typing, as a person does). One sign-in per run keeps clear of the rate limit.
export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e admin password" } as const;

export interface StorageState {
  cookies: {
    name: string;
    value: string;
    domain: string;
    path: string;
    expires: number;
    httpOnly: boolean;
    secure: boolean;
    sameSite: "Lax" | "Strict" | "None";
  }[];
  origins: never[];
}

/** Signs in through better-auth's endpoint and returns the cookies as Playwright storage state. */
export async function signedInState(
  url: string,
  user: { email: string; password: string },
): Promise<StorageState> {
  const res = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify(user),
  });
  if (!res.ok) throw new Error(`sign-in as ${user.email}: ${res.status} ${await res.text()}`);
  const host = new URL(url).hostname;
  const cookies = res.headers.getSetCookie().map((line) => {
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    const maxAge = attributes.find((a) => a.toLowerCase().startsWith("max-age="));
    return {
      name: pair.slice(0, eq),
      value: pair.slice(eq + 1),
      domain: host,
      path: "/",
      expires: maxAge ? Math.floor(Date.now() / 1000) + Number(maxAge.split("=")[1]) : -1,
      httpOnly: attributes.some((a) => a.toLowerCase() === "httponly"),
      secure: false,
      sameSite: "Lax" as const,
    };
  });
  if (cookies.length === 0) throw new Error(`sign-in as ${user.email} set no cookie`);
  return { cookies, origins: [] };
}
