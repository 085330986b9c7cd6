import type { Message, TopicMessages } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { describe, expect, it } from "vitest";
import type { TransactionalNodeInput } from "./transactional-input";
import { TransactionalNodeOutput } from "./transactional-output";

const record = (value: string): WeirRecord => ({ key: null, value, headers: {}, timestamp: 0 });

function outputWith(encode: (record: WeirRecord) => Message[]) {
  const staged: TopicMessages[][] = [];
  const input = {
    stage: (messages: TopicMessages[]) => staged.push(messages),
  } as unknown as TransactionalNodeInput;
  const targets = new Map([
    [
      "out",
      [
        { topic: "a", encode },
        { topic: "b", encode },
      ],
    ],
  ]);
  return { output: new TransactionalNodeOutput(input, targets), staged };
}

describe("TransactionalNodeOutput", () => {
  it("stages every target's messages of a send in the batch's transaction", async () => {
    const { output, staged } = outputWith((r) => [{ value: JSON.stringify(r.value) }]);
    await output.send([
      { port: "out", record: record("x") },
      { port: "out", record: record("y") },
    ]);
    expect(staged.map((messages) => messages.map((m) => [m.topic, m.messages.length]))).toEqual([
      [["a", 2]],
      [["b", 2]],
    ]);
  });

  it("stages nothing of a send whose record cannot be encoded, and says why", async () => {
    const { output, staged } = outputWith((r) => {
      if (r.value === "big") throw new Error("a value of 9 bytes is over WEIR_KAFKA_CHUNK_BYTES");
      return [{ value: JSON.stringify(r.value) }];
    });
    await expect(
      output.send([
        { port: "out", record: record("x") },
        { port: "out", record: record("big") },
      ]),
    ).rejects.toThrow("over WEIR_KAFKA_CHUNK_BYTES");
    expect(staged).toEqual([]);
  });
});
