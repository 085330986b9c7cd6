import type { IncomingMessage, ServerResponse } from "node:http";
import type { WeirRecord } from "@weir/domain";
import type { ResponseTarget } from "./request-tracker";

export type StreamFormat = "ndjson" | "sse";

/** SSE when the client asks for `text/event-stream`, else one JSON value per line. */
export function formatFor(accept: string | undefined): StreamFormat {
  return accept !== undefined && /\btext\/event-stream\b/i.test(accept) ? "sse" : "ndjson";
}

/**
 * Writes one request's answer as it is produced: each record's value as an NDJSON line or an SSE
 * `data:` event, flushed at once. The status line waits for the first record, so a request that
 * times out before answering anything gets a real 504; one that fails later ends with an error
 * line (`{"error": …}`) or an SSE `event: error`, since the 200 is already on the wire.
 */
export class ResponseStream implements ResponseTarget {
  private started = false;
  private finished = false;

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
    this.begin();
    const json = JSON.stringify(record.value);
    this.res.write(this.format === "sse" ? `data: ${json}\n\n` : `${json}\n`);
  }

  end(): void {
    if (this.finished) return;
    this.begin();
    if (this.format === "sse") this.res.write("event: end\ndata: {}\n\n");
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
    const json = JSON.stringify({ error });
    this.res.end(this.format === "sse" ? `event: error\ndata: ${json}\n\n` : `${json}\n`);
  }

  private begin(): void {
    if (this.started) return;
    this.started = true;
    this.res.socket?.setNoDelay(true);
    this.res.writeHead(200, {
      "content-type": this.format === "sse" ? "text/event-stream" : "application/x-ndjson",
      "cache-control": "no-cache",
      "x-weir-request-id": this.id(),
    });
  }

  private id(): string {
    return typeof this.requestId === "string" ? this.requestId : this.requestId();
  }
}
