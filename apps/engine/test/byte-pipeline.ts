// A byte pipeline on a real engine, for the integration test and `npm run bench:bytes`: an
// upload PUT to an http-request source (as `curl -T` sends it) streams through two js stream
// functions (each XORs every byte with a constant, written on with ctx.write) to the
// http-response sink, whose answer comes back raw while the upload is still being sent.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import type { FlowSpecInput } from "@weir/domain";

export const XOR_FIRST = 0x5a;
export const XOR_SECOND = 0xa5;

/** A stream function that XORs each byte of each chunk with `mask` and writes the chunk on. */
export function xorStream(mask: number): string {
  // The loop is its own function: V8 optimises it better there than inside the generator.
  return `function xor(input, mask) {
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = input[i] ^ mask;
  return out;
}

export async function* stream(chunks, ctx) {
  for await (const chunk of chunks) ctx.write(xor(chunk.value, ${mask}));
}`;
}

export function bytePipelineFlow(name: string, chunkBytes = 256 * 1024): FlowSpecInput {
  const fn = (id: string, mask: number) => ({
    id,
    kind: "function" as const,
    type: "function",
    config: { code: xorStream(mask), language: "javascript", timeoutMs: 10_000, memoryLimitMb: 32 },
  });
  return {
    name,
    nodes: [
      {
        id: "req",
        kind: "source",
        type: "http-request",
        config: { public: true, timeoutMs: 600_000, chunkBytes },
      },
      fn("first", XOR_FIRST),
      fn("second", XOR_SECOND),
      { id: "res", kind: "sink", type: "http-response", config: {} },
    ],
    edges: [
      { id: "e1", from: { node: "req", port: "out" }, to: { node: "first" } },
      { id: "e2", from: { node: "first", port: "out" }, to: { node: "second" } },
      { id: "e3", from: { node: "second", port: "out" }, to: { node: "res" } },
    ],
  };
}

export interface UploadResult {
  status: number;
  contentType: string | undefined;
  /** Bytes of the answer, and their SHA-256. */
  answerBytes: number;
  answerSha256: string;
  /** SHA-256 the answer must have: the upload with every byte XORed by both functions. */
  expectedSha256: string;
  /** From the request's start: the first answer byte, the upload's last byte sent, the answer's end. */
  firstByteMs: number;
  uploadedMs: number;
  totalMs: number;
}

const BLOCK = 1024 * 1024;

/**
 * PUTs `size` bytes (1 MiB blocks of random bytes, each stamped with its index so that a block
 * out of order changes the checksum) as the body is produced, without holding it, and hashes
 * the answer as it arrives. `mask`: what the flow XORs each byte with (0 for a flow without the
 * functions, the bench's baseline).
 */
export function upload(url: string, size: number, mask = XOR_FIRST ^ XOR_SECOND): Promise<UploadResult> {
  const base = randomBytes(BLOCK);

  const baseXored = Buffer.from(base.map((byte) => byte ^ mask));
  const expected = createHash("sha256");
  const answer = createHash("sha256");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = -1;
    let uploadedMs = -1;
    let answerBytes = 0;
    const req = httpRequest(
      url,
      { method: "PUT", headers: { "content-type": "application/octet-stream", "content-length": size } },
      (res) => {
        res.on("data", (chunk: Buffer) => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
          answerBytes += chunk.length;
          answer.update(chunk);
        });
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            answerBytes,
            answerSha256: answer.digest("hex"),
            expectedSha256: expected.digest("hex"),
            firstByteMs,
            uploadedMs,
            totalMs: performance.now() - started,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    let sent = 0;
    let index = 0;
    const writeMore = (): void => {
      while (sent < size) {
        const length = Math.min(BLOCK, size - sent);
        const block = Buffer.from(base.subarray(0, length));
        const xored = Buffer.from(baseXored.subarray(0, length));
        if (length >= 4) {
          block.writeUInt32LE(index >>> 0, 0);
          for (let i = 0; i < 4; i++) xored[i] = (block[i] ?? 0) ^ mask;
        }
        index++;
        expected.update(xored);
        sent += block.length;
        if (!req.write(block)) {
          req.once("drain", writeMore);
          return;
        }
      }
      uploadedMs = performance.now() - started;
      req.end();
    };
    writeMore();
  });
}

/** Resident set size of a process, in bytes (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time a process has used so far (user + system, all its threads), in seconds (Linux). */
export function cpuSecondsOf(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Samples a process's RSS every `everyMs` until stopped; `peak` is the highest seen. */
export function watchRss(pid: number, everyMs = 50): { stop(): { baseline: number; peak: number } } {
  const baseline = rssOf(pid);
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssOf(pid));
      return { baseline, peak };
    },
  };
}
