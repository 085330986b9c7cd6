import { describe, expect, it } from "vitest";
import { classifyAddress, formatIp, parseIp } from "./address";

const table: [string, string][] = [
  ["8.8.8.8", "public"],
  ["93.184.216.34", "public"],
  ["169.254.169.254", "link-local/metadata"],
  ["169.254.0.1", "link-local/metadata"],
  ["2852039166", "link-local/metadata"], // decimal 169.254.169.254
  ["0251.0376.0251.0376", "link-local/metadata"], // octal
  ["0xa9fea9fe", "link-local/metadata"], // hex
  ["0xa9.0xfe.0xa9.0xfe", "link-local/metadata"],
  ["169.254.43518", "link-local/metadata"], // two-part form
  ["127.0.0.1", "loopback"],
  ["127.1", "loopback"],
  ["2130706433", "loopback"],
  ["0177.0.0.1", "loopback"],
  ["0.0.0.0", "unspecified"],
  ["0", "unspecified"],
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["172.32.0.1", "public"],
  ["192.168.1.1", "private"],
  ["100.64.0.1", "shared (CGNAT)"],
  ["100.100.100.200", "shared (CGNAT)"],
  ["100.128.0.1", "public"],
  ["224.0.0.1", "multicast/reserved"],
  ["255.255.255.255", "multicast/reserved"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["::", "unspecified"],
  ["fe80::1", "link-local/metadata"],
  ["fe80::1%eth0", "link-local/metadata"],
  ["febf::1", "link-local/metadata"],
  ["fd00:ec2::254", "link-local/metadata"],
  ["[fd00:ec2::254]", "link-local/metadata"],
  ["fc00::1", "private"],
  ["fdff::1", "private"],
  ["::ffff:169.254.169.254", "link-local/metadata"],
  ["::ffff:a9fe:a9fe", "link-local/metadata"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:8.8.8.8", "public"],
  ["64:ff9b::a9fe:a9fe", "link-local/metadata"],
  ["2002:7f00:1::", "loopback"],
  ["ff02::1", "multicast/reserved"],
  ["2606:4700:4700::1111", "public"],
];

describe("classifyAddress", () => {
  it.each(table)("%s is %s", (text, category) => {
    const ip = parseIp(text);
    expect(ip, text).toBeDefined();
    if (ip) expect(classifyAddress(ip)).toBe(category);
  });
});

describe("parseIp", () => {
  it("reads the odd IPv4 spellings as the address they mean", () => {
    for (const text of ["2852039166", "0251.0376.0251.0376", "0xa9fea9fe", "169.254.43518"]) {
      const ip = parseIp(text);
      expect(ip && formatIp(ip), text).toBe("169.254.169.254");
    }
  });

  it("is undefined for names and out-of-range numbers", () => {
    for (const text of [
      "example.com",
      "metadata.google.internal",
      "256.1.1.1",
      "4294967296",
      "1.2.3.4.5",
      "08.1.1.1",
      "",
    ]) {
      expect(parseIp(text), text).toBeUndefined();
    }
  });
});
