import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox, SecretBoxError, generateSecretKey, parseSecretKey, sealedKeyId } from "./secret-box";

const box = SecretBox.fromText(generateSecretKey());

describe("SecretBox", () => {
  it("round-trips any text, and never seals the same value to the same text twice", () => {
    for (const value of ["", "p@ss", "€ and 🔑", "x".repeat(64 * 1024)]) {
      const sealed = box.seal(value, "secret:A");
      expect(sealed).not.toContain(value === "" ? "\u0000" : value);
      expect(box.open(sealed, "secret:A")).toBe(value);
    }
    expect(box.seal("same", "secret:A")).not.toBe(box.seal("same", "secret:A"));
  });

  it("names its format version and key in the sealed text", () => {
    const sealed = box.seal("v", "secret:A");
    expect(sealed.split(".")[0]).toBe("wsb1");
    expect(sealedKeyId(sealed)).toBe(box.keyId);
    expect(box.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(sealedKeyId("plain text")).toBeUndefined();
  });

  it("detects any change to the ciphertext, the iv or the tag", () => {
    const sealed = box.seal("the value", "secret:A");
    const [format, keyId, iv = "", body = ""] = sealed.split(".");
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, "base64url");
      bytes[at] = (bytes[at] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    const tampered = [
      [format, keyId, flip(iv, 0), body],
      [format, keyId, iv, flip(body, 0)],
      [format, keyId, iv, flip(body, Buffer.from(body, "base64url").length - 1)],
    ].map((parts) => parts.join("."));
    for (const text of tampered) {
      expect(() => box.open(text, "secret:A")).toThrow(/failed authentication/);
    }
  });

  it("refuses a value moved to another row", () => {
    expect(() => box.open(box.seal("v", "secret:A"), "secret:B")).toThrow(/failed authentication/);
  });

  it("refuses a value sealed with another key, naming both keys", () => {
    const other = SecretBox.fromText(generateSecretKey());
    const sealed = other.seal("v", "secret:A");
    expect(() => box.open(sealed, "secret:A")).toThrow(SecretBoxError);
    expect(() => box.open(sealed, "secret:A")).toThrow(`encrypted with key ${other.keyId}`);
    // A forged key id does not help: the id is authenticated with the ciphertext.
    const forged = sealed.replace(other.keyId, box.keyId);
    expect(() => box.open(forged, "secret:A")).toThrow(/failed authentication/);
  });

  it("refuses text that is not a sealed value", () => {
    for (const text of ["hunter2", "wsb1.x.y", "wsb2.a.b.c", `wsb1.${box.keyId}.AAAA.AAAA`]) {
      expect(() => box.open(text, "secret:A")).toThrow(SecretBoxError);
    }
  });

  it("reads a key as 64 hex digits or base64, and refuses anything else without echoing it", () => {
    const raw = randomBytes(32);
    const hex = raw.toString("hex");
    expect(parseSecretKey(hex)).toEqual(raw);
    expect(parseSecretKey(hex.toUpperCase())).toEqual(raw);
    expect(parseSecretKey(raw.toString("base64"))).toEqual(raw);
    expect(parseSecretKey(raw.toString("base64url"))).toEqual(raw);
    expect(new SecretBox(raw).keyId).toBe(SecretBox.fromText(hex).keyId);
    for (const bad of ["", "short-key-value", hex.slice(2), randomBytes(16).toString("base64")]) {
      let message = "";
      try {
        parseSecretKey(bad);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/WEIR_SECRET_KEY must be 32 random bytes/);
      if (bad !== "") expect(message).not.toContain(bad);
    }
  });
});
