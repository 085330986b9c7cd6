import type { IncomingMessage, ServerResponse } from "node:http";
import type { WeirRecord } from "@weir/domain";
import type { ResponseTarget } from "./request-tracker";

export type StreamFormat = "ndjson" | "sse";

const OCTET_STREAM = "application/octet-stream";

/** SSE when the client asks for `text/event-stream`, else one JSON value per line. */
export function formatFor(accept: string | undefined): StreamFormat {
  return accept !== undefined && /\btext\/event-stream\b/i.test(accept) ? "sse" : "ndjson";
}

/**
 * Writes one request's answer as it is produced: each record's value as an NDJSON line or an SSE
 * `data:` event, flushed at once. An answer whose first record is bytes is a byte stream
 * (`application/octet-stream`): byte values are written raw as they come (a JSON value among
 * them as its JSON text and a newline); in an NDJSON or SSE answer a byte value is a base64
 * string. The status line waits for the first record, so a request that
 * times out before answering anything gets a real 504; one that fails later ends with an error
 * line (`{"error": …}`) or an SSE `event: error`, since the 200 is already on the wire.
 */
export class ResponseStream implements ResponseTarget {
  private started = false;
  private finished = false;
  /** The first record was bytes: the answer is raw bytes. */
  private raw = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly format: StreamFormat,
    private readonly requestId: string | (() => string),
  ) {}

  static for(req: IncomingMessage, res: ServerResponse, requestId: () => string): ResponseStream {
    return new ResponseStream(res, formatFor(req.headers.accept), requestId);
  }

  get done(): boolean {
    return this.finished;
  }

  write(record: WeirRecord): void {
    if (this.finished) return;
    const value = record.value;
    if (!this.started && value instanceof Uint8Array) this.raw = true;
    this.begin();
    if (this.raw) {
      this.res.write(value instanceof Uint8Array ? value : `${JSON.stringify(value)}\n`);
      return;
    }
    const json = JSON.stringify(value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value);
    this.res.write(this.format === "sse" ? `data: ${json}\n\n` : `${json}\n`);
  }

  whenWritable(): Promise<void> | undefined {
    const res = this.res;
    if (this.finished || !res.writableNeedDrain || res.destroyed) return undefined;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  }

  end(): void {
    if (this.finished) return;
    this.begin();
    if (this.format === "sse" && !this.raw) this.res.write("event: end\ndata: {}\n\n");
    this.finished = true;
    this.res.end();
  }

  fail(status: number, error: string): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.started) {
      this.started = true;
      this.res.writeHead(status, {
        "content-type": "application/json",
        "x-weir-request-id": this.id(),
        connection: "close",
      });
      this.res.end(JSON.stringify({ error }));
      return;
    }
    if (this.raw) {
      // A byte stream has no room for an error line: it is cut short, which the client sees.
      this.res.destroy(new Error(error));
      return;
    }
    const json = JSON.stringify({ error });
    this.res.end(this.format === "sse" ? `event: error\ndata: ${json}\n\n` : `${json}\n`);
  }

  private begin(): void {
    if (this.started) return;
    this.started = true;
    this.res.socket?.setNoDelay(true);
    this.res.writeHead(200, {
      "content-type": this.raw
        ? OCTET_STREAM
        : this.format === "sse"
          ? "text/event-stream"
          : "application/x-ndjson",
      "cache-control": "no-cache",
      "x-weir-request-id": this.id(),
    });
  }

  private id(): string {
    return typeof this.requestId === "string" ? this.requestId : this.requestId();
  }
}
