import { describe, expect, it } from "vitest";
import { rechunk } from "./rechunk";

async function* pieces(sizes: number[]): AsyncGenerator<Uint8Array> {
  let n = 0;
  for (const size of sizes) {
    const piece = new Uint8Array(size);
    for (let i = 0; i < size; i++) piece[i] = n++ & 0xff;
    // as from a socket: each piece arrives on its own turn
    await Promise.resolve();
    yield piece;
  }
}

async function collect(input: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of input) out.push(chunk);
  return out;
}

describe("rechunk", () => {
  it("regroups pieces of any size into chunks of the size, the last one shorter", async () => {
    const chunks = await collect(rechunk(pieces([3, 10, 1, 0, 7]), 4));
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 4, 4, 4, 1]);
    const all = chunks.flatMap((c) => [...c]);
    expect(all).toEqual(Array.from({ length: 21 }, (_, i) => i));
  });

  it("hands out nothing for an empty stream and no empty last chunk", async () => {
    expect(await collect(rechunk(pieces([]), 4))).toEqual([]);
    expect((await collect(rechunk(pieces([8]), 4))).map((c) => c.length)).toEqual([4, 4]);
  });

  it("gives each chunk its own array (a later chunk does not overwrite an earlier one)", async () => {
    const [first, second] = await collect(rechunk(pieces([2, 2]), 2));
    expect([...(first ?? [])]).toEqual([0, 1]);
    expect([...(second ?? [])]).toEqual([2, 3]);
  });

  it("refuses a chunk size that is not a positive integer", async () => {
    await expect(collect(rechunk(pieces([1]), 0))).rejects.toThrow(
      "chunk size must be a positive integer, got 0",
    );
  });
});
