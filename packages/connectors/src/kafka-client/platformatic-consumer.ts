// A consumer group member on the @platformatic/kafka client's messages stream.
import { Consumer, MessagesStreamFallbackModes, MessagesStreamModes } from "@platformatic/kafka";
import type { Message } from "@platformatic/kafka";
import type { KafkaMessage } from "kafkajs";
import type { PlatformaticBase } from "./platformatic-connection";
import type { CommitOffset, ConsumerHandlers, ConsumerSettings, EdgeConsumer } from "./edge-client";
import { SEND_TIMEOUT_MS, describeKafkaError, explained, withTimeout } from "./platformatic-errors";
import { toIncoming } from "./platformatic-messages";
import { RejoinPositions } from "./rejoin-positions";

/** Messages grouped into one batch per partition before they are handed on. */
const BATCH_MAX = 500;
const WATERMARKS_MS = 2_000;
/**
 * While a refresh finds no partition's end moved, the next comes twice as late, up to this: an idle
 * member's lag cannot change, and asking every 2 s made 100 idle two-node flows a hundred
 * ListOffsets a second. A moved end or a delivered batch brings the period back to WATERMARKS_MS.
 */
const WATERMARKS_IDLE_MAX_MS = 16_000;
const RESTART_MAX_MS = 5_000;

/**
 * One group member on a messages stream. The stream fetches ahead into its buffer (at most its
 * highWaterMark); what it delivered is grouped per partition and handed to the batch handler,
 * whose waiting stops the stream from reading on. After a (re)join the stream reads every
 * assigned partition again from its committed offset, so a message fetched for an earlier
 * assignment (another generation, or a partition no longer owned) is dropped, and the batches
 * of that assignment turn stale. A stream that fails (its broker gone for longer than the
 * client's retries) is replaced by a new member, as kafkajs restarts a crashed consumer.
 */
export class PlatformaticConsumer implements EdgeConsumer {
  private consumer: Consumer | undefined;
  private stream: Awaited<ReturnType<Consumer["consume"]>> | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** Counts this member's joins (and restarts): a batch from before the last one is stale. */
  private joins = 0;
  private generationId = -1;
  private owned: ReadonlySet<string> = new Set();
  private readonly ends = new Map<string, number>();
  /** Catches a fetch from before a rejoin that moved a partition past records (rejoin-positions.ts). */
  private positions = new RejoinPositions();
  private watermarkTimer: NodeJS.Timeout | undefined;
  private watermarkDelay = WATERMARKS_MS;

  constructor(
    private readonly base: PlatformaticBase,
    private readonly settings: ConsumerSettings,
  ) {}

  async start(handlers: ConsumerHandlers): Promise<void> {
    await explained(`joining consumer group ${this.settings.groupId}`, () => this.open(handlers));
    this.running = this.pumpUntilStopped(handlers);
    this.scheduleWatermarks(handlers);
  }

  private scheduleWatermarks(handlers: ConsumerHandlers): void {
    this.watermarkTimer = setTimeout(() => {
      void this.refreshWatermarks(handlers).finally(() => {
        if (!this.stopped) this.scheduleWatermarks(handlers);
      });
    }, this.watermarkDelay);
  }

  async commit(offsets: readonly CommitOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) throw new Error("the consumer is restarting");
    for (const { topic, partition, offset } of offsets)
      this.positions.committed(`${topic}/${String(partition)}`, Number(offset));
    // A commit that hangs would hold every later one (and so the fetch-ahead window) back.
    await explained("committing offsets", () =>
      withTimeout(
        SEND_TIMEOUT_MS,
        consumer.commit({
          offsets: offsets.map(({ topic, partition, offset }) => ({
            topic,
            partition,
            offset: BigInt(offset),
            leaderEpoch: -1,
          })),
        }),
      ),
    );
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.watermarkTimer);
    await this.closeMember();
    await this.running;
  }

  private async open(handlers: ConsumerHandlers): Promise<void> {
    const sessionTimeout = this.settings.sessionTimeoutMs;
    const consumer = new Consumer({
      ...this.base,
      groupId: this.settings.groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      // A member whose heartbeats went unanswered for a whole session cannot know it is still
      // one: the broker may have dropped it (a network stall, a frozen broker). The client keeps
      // its old membership while a heartbeat queued during the stall may still extend the session
      // (a race on the broker), so after a session without an answer the member is replaced
      // ('stalled' below), as the broker would have done, and never keeps partitions it lost.
      heartbeatStallTimeout: sessionTimeout,
      // kafkajs' default: members have this long to rejoin once a rebalance starts.
      rebalanceTimeout: Math.max(sessionTimeout, 60_000),
      autocommit: false,
      autocreateTopics: false,
      // The broker answers a fetch as soon as it has a record (minBytes 1), or after this long with
      // none: the wait sets how often an idle member asks, not how late a record arrives. At 500 ms
      // 100 idle two-node flows cost the engine 15% of a core (kafkajs at its 5 s: 4%).
      maxWaitTime: 5_000,
    });
    // A new member starts with a new stream: nothing it fetched predates its first join.
    const positions = new RejoinPositions();
    this.positions = positions;
    consumer.on("consumer:group:join", (payload) => {
      if (this.stream && this.consumer === consumer) positions.joined();
      this.joins++;
      this.generationId = consumer.generationId;
      const owned = new Set<string>();
      for (const { topic, partitions } of payload.assignments ?? [])
        for (const partition of partitions) owned.add(`${topic}/${String(partition)}`);
      this.owned = owned;
      handlers.joined(owned);
    });
    // A rejoin that failed leaves the member without heartbeats (the client says so with
    // 'error', unhandled it would end the process): replace the member, as after a stream failure.
    const failed = (error: unknown): void => {
      if (this.consumer !== consumer || this.stopped) return;
      const failure = error instanceof Error ? error : new Error(describeKafkaError(error));
      if (this.stream) this.stream.destroy(failure);
      else handlers.log.warn(`consumer ${this.settings.groupId}: ${describeKafkaError(error)}`);
    };
    consumer.on("error", failed);
    consumer.on("consumer:heartbeat:error", (payload) => {
      if (this.consumer === consumer && !this.stopped)
        handlers.log.warn(
          `consumer ${this.settings.groupId}: heartbeat failed: ${describeKafkaError(payload.error)}`,
        );
    });
    consumer.on("consumer:heartbeat:stalled", (payload) => {
      failed(new Error(`no heartbeat for ${String(payload.stalledFor)} ms`, { cause: payload.lastError }));
    });
    this.consumer = consumer;
    this.stream = await consumer.consume({
      topics: [...this.settings.topics],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: this.settings.fromBeginning
        ? MessagesStreamFallbackModes.EARLIEST
        : MessagesStreamFallbackModes.LATEST,
      autocommit: false,
      // Fetch-ahead beyond what the node holds: dropped, not handed on twice, after a rejoin.
      highWaterMark: BATCH_MAX * 2,
    });
    const stream = this.stream;
    // After a join the stream rewinds every assigned partition to its committed offset.
    stream.on("offsets", () => {
      const starts = new Map<string, number>();
      for (const [key, offset] of stream.offsetsToFetch) {
        const at = key.lastIndexOf(":");
        starts.set(`${key.slice(0, at)}/${key.slice(at + 1)}`, Number(offset));
      }
      const behind = positions.rewound(starts, this.owned);
      const first = behind[0];
      // Replaced as after a stream failure: the new member reads again from the commits, or
      // from the start where nothing was committed yet.
      if (first)
        stream.destroy(
          new Error(
            `after the last rejoin the stream resumes ${first.where} at ${String(first.start)}, past records read and never committed (from ${String(first.read)})`,
          ),
        );
    });
  }

  private async pumpUntilStopped(handlers: ConsumerHandlers): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        if (!this.stream) await this.open(handlers);
        await this.pump(handlers);
        attempt = 0;
      } catch (error) {
        if (this.isStopped()) return;
        handlers.log.warn(
          `consumer ${this.settings.groupId} failed (restarting): ${describeKafkaError(error)}`,
        );
        // Whatever it held is read again by the group: a new member starts from the commits.
        this.joins++;
        this.owned = new Set();
        handlers.joined(new Set());
        await this.closeMember();
        await new Promise((resolve) => setTimeout(resolve, Math.min(RESTART_MAX_MS, 250 * 2 ** attempt)));
      }
    }
  }

  /** Reads the stream until it ends, handing on per-partition batches of what it buffered. */
  private async pump(handlers: ConsumerHandlers): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    let pending = new Map<string, { topic: string; partition: number; messages: KafkaMessage[] }>();
    let size = 0;
    let joins = this.joins;
    for await (const message of stream as AsyncIterable<Message>) {
      if (this.stopped) return;
      const where = `${message.topic}/${String(message.partition)}`;
      const generation = (message.metadata.consumer as { generationId?: number } | undefined)?.generationId;
      if (joins !== this.joins) {
        // A join since these were fetched: the group reads them again from the commits.
        pending = new Map();
        size = 0;
        joins = this.joins;
      }
      const current = generation === this.generationId && this.owned.has(where);
      const verdict = this.positions.check(where, Number(message.offset), current);
      if (verdict === "stale")
        // Replaced as after a stream failure: the new member reads again from the commits.
        throw new Error(
          `a fetch from before the last rejoin moved ${where} past records not handed on (rewound to ${String(this.positions.startOf(where))}, then ${String(message.offset)} came first)`,
        );
      if (verdict === "drop") continue;
      const batch = pending.get(where) ?? {
        topic: message.topic,
        partition: message.partition,
        messages: [],
      };
      batch.messages.push(toIncoming(message));
      pending.set(where, batch);
      size++;
      if (size < BATCH_MAX && stream.readableLength > 0) continue;
      const batches = [...pending.values()];
      pending = new Map();
      size = 0;
      this.watermarkDelay = WATERMARKS_MS;
      for (const { topic, partition, messages } of batches) {
        const last = messages.at(-1);
        const known = this.ends.get(`${topic}/${String(partition)}`);
        await handlers.batch(
          {
            topic,
            partition,
            highWatermark: Math.max(known ?? 0, last ? Number(last.offset) + 1 : 0),
            messages,
          },
          {
            heartbeat: () => Promise.resolve(),
            alive: () => !this.stopped && joins === this.joins,
            resolved: () => undefined,
          },
        );
      }
    }
    if (!this.stopped) throw new Error("the messages stream ended");
  }

  /** Read through a call, so a loop that checked `stopped` sees it change while it awaited. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private async refreshWatermarks(handlers: ConsumerHandlers): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.stopped || this.owned.size === 0) return;
    try {
      const offsets = await consumer.listOffsets({ topics: [...this.settings.topics] });
      let moved = false;
      for (const [topic, partitions] of offsets)
        for (const [partition, end] of partitions.entries()) {
          const where = `${topic}/${String(partition)}`;
          if (this.ends.get(where) !== Number(end)) moved = true;
          this.ends.set(where, Number(end));
        }
      this.watermarkDelay = moved ? WATERMARKS_MS : Math.min(this.watermarkDelay * 2, WATERMARKS_IDLE_MAX_MS);
      handlers.watermarks?.(new Map([...this.ends].filter(([where]) => this.owned.has(where))));
    } catch {
      // The lag is refreshed on the next round.
    }
  }

  /** Leaves the group (a member that cannot reach the broker is dropped after the session timeout). */
  private async closeMember(): Promise<void> {
    const stream = this.stream;
    const consumer = this.consumer;
    this.stream = undefined;
    this.consumer = undefined;
    await stream?.close().catch(() => undefined);
    await consumer?.close(true).catch(() => undefined);
  }
}
