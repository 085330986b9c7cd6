import { describe, expect, it } from "vitest";
import { classifyKafkaError } from "./probe";

const plain = { ssl: false, sasl: false };

describe("classifyKafkaError", () => {
  it("finds the cause kafkajs wrapped in originalError", () => {
    const wrapped = {
      name: "KafkaJSNumberOfRetriesExceeded",
      message: "Number of retries exceeded",
      originalError: {
        name: "KafkaJSConnectionError",
        message: "connect ECONNREFUSED 127.0.0.1:1",
        code: "ECONNREFUSED",
      },
    };
    expect(classifyKafkaError(wrapped, plain)).toEqual({
      failure: "unreachable",
      message: "brokers unreachable: connect ECONNREFUSED 127.0.0.1:1",
    });
  });

  it("names SASL errors auth and certificate errors tls", () => {
    expect(
      classifyKafkaError({ name: "KafkaJSSASLAuthenticationError", message: "bad creds" }, plain).failure,
    ).toBe("auth");
    expect(classifyKafkaError(new Error("self-signed certificate in certificate chain"), plain).failure).toBe(
      "tls",
    );
  });

  it("blames a hang-up on TLS when TLS was on, on SASL when only SASL was", () => {
    const closed = { name: "KafkaJSConnectionError", message: "Connection closed" };
    expect(classifyKafkaError(closed, { ssl: true, sasl: true }).failure).toBe("tls");
    expect(classifyKafkaError(closed, { ssl: false, sasl: true }).failure).toBe("auth");
    expect(classifyKafkaError(closed, plain).failure).toBe("unreachable");
    expect(classifyKafkaError(new Error("something new"), plain)).toEqual({
      failure: "other",
      message: "something new",
    });
  });
});
