import type { PortRecord, WeirRecord } from "@weir/domain";
import type { NodeOutput } from "../transport/edge-transport";
import type { NodeTaps } from "./edge-peeks";

/**
 * A node's output as edge peek sees it, above either transport: while one of the node's edges is
 * watched, the records sent along it are copied into its tap; while none is, a batch costs one
 * comparison.
 */
export class PeekedOutput implements NodeOutput {
  constructor(
    private readonly inner: NodeOutput,
    private readonly taps: NodeTaps,
    private readonly now: () => number = Date.now,
  ) {}

  send(outputs: readonly PortRecord[]): Promise<void> {
    if (this.taps.size !== 0) {
      const now = this.now();
      for (const { port, record } of outputs) {
        const taps = this.taps.byPort.get(port);
        if (taps) for (const tap of taps) tap.record([record], now);
      }
    }
    return this.inner.send(outputs);
  }

  sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    if (this.taps.size !== 0) {
      const taps = this.taps.byPort.get(port);
      if (taps) {
        const now = this.now();
        for (const tap of taps) tap.record(records, now);
      }
    }
    return this.inner.sendToPort(port, records);
  }

  close(): void {
    this.inner.close();
  }
}
