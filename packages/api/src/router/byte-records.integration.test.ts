// Records whose value is bytes, as an engine stores them (`toStorableJson`), read back through
// the API as curl sees it: plain JSON, a byte value as `{ "$bytes": "<base64>", "length": n }`,
// never as an object of indices; a JSON value that looks like that form is kept apart from it.
import { describe, expect, it } from "vitest";
import { toStorableJson } from "@weir/db";
import { fromByteJson } from "@weir/domain";
import { demoFlow, useTestApi } from "../../test/db";
import { callHttp, withInput } from "../../test/http";

const t = useTestApi();

const bytes = Uint8Array.from([0, 1, 2, 0xfe, 0xff, 104, 105]);
const byteRecord = { key: "file", value: bytes, headers: { "weir-stream-offset": "0" }, timestamp: 7 };
/** A JSON value shaped like bytes: the API must not give it as bytes. */
const lookalike = { key: null, value: { $bytes: "aGk=", length: 2 }, headers: {}, timestamp: 8 };
/** Bytes together with text jsonb refuses: stored in the wrapper, given back the same. */
const withNul = { key: "a\u0000b", value: Uint8Array.from([7]), headers: {}, timestamp: 9 };

async function deployedFlow(
  name: string,
): Promise<{ flowId: string; deploymentId: string; flowVersionId: string }> {
  const { id } = await t.api.flow.create(demoFlow(name));
  const deployment = await t.api.deployment.deploy({ flowId: id });
  const { flowVersionId } = await t.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
  return { flowId: id, deploymentId: deployment.id, flowVersionId };
}

interface RecordView {
  key: string | null;
  value: unknown;
}

describe("byte values in log sinks and dead letters", () => {
  it("gives a log sink's byte records as base64 and length over HTTP, and a look-alike JSON value apart", async () => {
    const { flowId, deploymentId } = await deployedFlow("bytes-log");
    for (const record of [byteRecord, lookalike, withNul])
      await t.db.sinkLogEntry.create({
        data: { flowId, deploymentId, nodeId: "out", record: toStorableJson(record) },
      });
    const answer = await callHttp(t.db, withInput("logs.read", { flowId, nodeId: "out" }));
    expect(answer.status).toBe(200);
    expect(answer.text).not.toMatch(/"0":0/);
    const records = (answer.json as { result: { data: { record: RecordView }[] } }).result.data.map(
      (row) => row.record,
    );
    expect(records.map((r) => r.value)).toEqual([
      { $bytes: "AAEC/v9oaQ==", length: 7 },
      { $$bytes: "aGk=", length: 2 },
      { $bytes: "Bw==", length: 1 },
    ]);
    expect(records[2]?.key).toBe("a\u0000b");
    // Read with the one decoder, each is what the engine stored.
    expect(records.map((r) => fromByteJson(r.value))).toEqual([bytes, lookalike.value, withNul.value]);
  });

  it("gives a dead letter's byte record as base64 and length over HTTP", async () => {
    const { flowId, deploymentId, flowVersionId } = await deployedFlow("bytes-dlq");
    await t.db.deadLetter.create({
      data: {
        flowId,
        deploymentId,
        flowVersionId,
        nodeId: "double",
        record: toStorableJson(byteRecord),
        error: "no bytes here",
        attempts: 1,
      },
    });
    const answer = await callHttp(t.db, withInput("deadLetters.list", { flowId }));
    expect(answer.status).toBe(200);
    const [letter] = (answer.json as { result: { data: { record: RecordView; error: string }[] } }).result
      .data;
    expect(letter?.record).toEqual({
      key: "file",
      value: { $bytes: "AAEC/v9oaQ==", length: 7 },
      headers: { "weir-stream-offset": "0" },
      timestamp: 7,
    });
    expect(letter?.error).toBe("no bytes here");
  });
});
