import type { WeirRecord } from "@weir/domain";
import type { NodeInput } from "../transport/edge-transport";
import type { NodeTaps } from "./edge-peeks";

/**
 * The input of a node whose one incoming edge has no sender in any engine: on the Kafka
 * transport, a node reading its Kafka source's topic directly (the source itself never runs).
 * The records of that edge are sampled as this node takes them, into the source's taps.
 */
export class PeekedInput implements NodeInput {
  constructor(
    private readonly inner: NodeInput,
    private readonly taps: NodeTaps,
    private readonly port: string,
    private readonly now: () => number = Date.now,
  ) {}

  async take(max: number): Promise<WeirRecord[] | null> {
    const batch = await this.inner.take(max);
    if (batch && this.taps.size !== 0) {
      const taps = this.taps.byPort.get(this.port);
      if (taps) {
        const now = this.now();
        for (const tap of taps) tap.record(batch, now);
      }
    }
    return batch;
  }

  ack(): Promise<void> {
    return this.inner.ack();
  }
}
