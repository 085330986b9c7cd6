/**
 * A request body sent as bytes rather than JSON (`curl -T file`, `application/octet-stream`):
 * read as it arrives, never whole. The engine makes one per request and a source pulls it; while
 * the source waits (its records are not yet accepted downstream) nothing more is read from the
 * socket, so the sender is slowed down by the flow.
 */
export class ByteBody {
  constructor(
    /** The body as it arrives, in the sizes the network gives. */
    readonly chunks: AsyncIterable<Uint8Array>,
    readonly contentType: string | undefined,
  ) {}
}

/** Whether a request body is a byte stream (a ByteBody) rather than parsed JSON. */
export function isByteBody(body: unknown): body is ByteBody {
  return body instanceof ByteBody;
}
