import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { allowedHosts } from "./env";
import { hostAllowed, proxy } from "./proxy";

describe("web Host check (DNS rebinding)", () => {
  const local = allowedHosts({});

  it("answers to loopback names on any port", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST", "localhost."]) {
      expect(hostAllowed(host, local), host).toBe(true);
    }
  });

  it("refuses any other name, and a missing Host", () => {
    for (const host of [
      "rebind.attacker.example:3000",
      "localhost.attacker.example",
      "127.0.0.1.nip.io",
      "",
      null,
    ]) {
      expect(hostAllowed(host, local), String(host)).toBe(false);
    }
  });

  it("adds WEIR_ALLOWED_HOSTS, with wildcards", () => {
    const configured = allowedHosts({ WEIR_ALLOWED_HOSTS: "weir.example.com, *.corp" });
    expect(hostAllowed("weir.example.com", configured)).toBe(true);
    expect(hostAllowed("a.b.corp:443", configured)).toBe(true);
    expect(hostAllowed("corp", configured)).toBe(false);
    expect(hostAllowed("anything", allowedHosts({ WEIR_ALLOWED_HOSTS: "*" }))).toBe(true);
  });

  it("answers a foreign Host with 421 and the reason", async () => {
    const refused = proxy(
      new NextRequest("http://localhost:3000/api/trpc/flow.list", { headers: { host: "evil.example:3000" } }),
    );
    expect(refused.status).toBe(421);
    expect(await refused.json()).toEqual({
      error: "host 'evil.example:3000' is not one Weir answers to; add it to WEIR_ALLOWED_HOSTS",
    });
    const passed = proxy(new NextRequest("http://localhost:3000/", { headers: { host: "localhost:3000" } }));
    expect(passed.status).toBe(200);
    expect(passed.headers.get("x-middleware-next")).toBe("1");
  });
});
