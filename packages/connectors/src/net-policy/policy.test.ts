import { describe, expect, it } from "vitest";
import { checkOutbound, parseAllowList } from "./policy";
import type { OutboundPolicy } from "./policy";
import { checkUrl } from "./guard";

const none: OutboundPolicy = { allow: [] };
const check = (policy: OutboundPolicy, hostname: string, address = hostname, port = 80) =>
  checkOutbound(policy, "webhook target", { hostname, port, address });

describe("outbound policy", () => {
  it("refuses internal addresses by default, naming the address and the setting", () => {
    expect(check(none, "169.254.169.254")).toEqual({
      ok: false,
      reason:
        "webhook target 169.254.169.254 is a link-local/metadata address; allow it with WEIR_OUTBOUND_ALLOW",
    });
    expect(check(none, "127.0.0.1")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("loopback") as string,
    });
    expect(check(none, "hooks.internal", "10.0.0.7")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("hooks.internal (10.0.0.7) is a private address") as string,
    });
    expect(check(none, "example.com", "93.184.216.34")).toEqual({ ok: true });
  });

  it("refuses metadata names whatever they resolve to", () => {
    expect(check(none, "metadata.google.internal", "8.8.8.8")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("cloud metadata") as string,
    });
  });

  it("checks URLs in every spelling the URL parser accepts", () => {
    for (const url of [
      "http://169.254.169.254/latest",
      "http://2852039166/",
      "http://0xa9fea9fe/",
      "http://0251.0376.0251.0376/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:169.254.169.254]/",
      "http://metadata.google.internal/computeMetadata/v1/",
    ]) {
      expect(checkUrl(new URL(url), "webhook target", none).ok, url).toBe(false);
    }
    expect(checkUrl(new URL("http://example.com/"), "webhook target", none).ok).toBe(true);
  });

  it("allows what the allowlist names: addresses, ranges, names, ports", () => {
    const policy: OutboundPolicy = {
      allow: parseAllowList("127.0.0.1, 10.0.0.0/8,hooks.example,*.corp.example,[::1]:8080"),
    };
    expect(check(policy, "127.0.0.1").ok).toBe(true);
    expect(check(policy, "127.0.0.2").ok).toBe(false);
    expect(check(policy, "x", "10.200.0.1").ok).toBe(true);
    expect(check(policy, "hooks.example", "192.168.0.4").ok).toBe(true);
    expect(check(policy, "a.corp.example", "192.168.0.4").ok).toBe(true);
    expect(check(policy, "corp.example", "192.168.0.4").ok).toBe(false);
    expect(check(policy, "::1", "::1", 8080).ok).toBe(true);
    expect(check(policy, "::1", "::1", 8081).ok).toBe(false);
  });

  it("refuses the engine's own ingest unless an entry names its port", () => {
    const self = { ports: [4100], hosts: ["127.0.0.1", "engine.local"] };
    const loose: OutboundPolicy = { allow: parseAllowList("127.0.0.0/8,engine.local"), self };
    expect(check(loose, "127.0.0.1", "127.0.0.1", 4100)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("this engine's own ingest") as string,
    });
    expect(check(loose, "localhost", "::1", 4100).ok).toBe(false);
    expect(check(loose, "engine.local", "192.168.1.9", 4100).ok).toBe(false);
    expect(check(loose, "127.0.0.1", "127.0.0.1", 4101).ok).toBe(true);
    const explicit: OutboundPolicy = { allow: parseAllowList("127.0.0.1:4100"), self };
    expect(check(explicit, "127.0.0.1", "127.0.0.1", 4100).ok).toBe(true);
  });

  it("rejects malformed allowlist entries", () => {
    expect(() => parseAllowList("10.0.0.0/33")).toThrow("bad prefix length");
    expect(() => parseAllowList("http://x")).toThrow("is not an address");
    expect(() => parseAllowList("host:99999")).toThrow("bad port");
    expect(parseAllowList(" , ")).toEqual([]);
  });
});
