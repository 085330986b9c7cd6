// @platformatic/kafka's messages stream rewinds each partition to its committed offset when the
// member (re)joins its group, but a fetch already in flight when it joined is not discarded: if
// its answer lands after the rewind, it moves the partition's fetch position past the records
// between the committed offset and that fetch (read in the old generation; those not yet handed
// to the node were dropped there, as they must be), and its own records come tagged with the new
// generation. The member would never read the dropped ones again, and committing what follows
// loses them for good (the SIGKILL fault test's survivor did, at its rejoin). This guard sees
// every message the stream yields and tells the consumer when a partition's first message after
// the rewind is past records read before, so it replaces the member (which reads again from the
// commits). The same when the stream does not rewind a partition at all (it keeps its position
// on a partition that has no committed offset yet) while records read there were never
// committed. It cannot tell whether those records reached the node before the join (then nothing
// was lost), so it errs on the safe side: the cost is one more join's duplicates. Pure, unit-tested.

export type Verdict =
  /** Hand it on. */
  | "hand"
  /** Fetched before the rewind that follows a join: the stream reads it again. */
  | "drop"
  /** The partition's position was moved past records the member has not handed on: replace the member. */
  | "stale";

export class RejoinPositions {
  /** Per `topic/partition`, offsets the stream yielded at or past what is known committed. */
  private readonly seen = new Map<string, Set<number>>();
  /** A join happened and the stream has not rewound since. */
  private waiting = false;
  /** Per partition, where the stream rewound to after the last join. */
  private starts = new Map<string, number>();
  /** Partitions whose first message since the rewind was checked. */
  private readonly checked = new Set<string>();

  /** Where the stream rewound `where` to after the last join, if it did. */
  startOf(where: string): number | undefined {
    return this.starts.get(where);
  }

  /** The member joined its group again (not its first join: its stream had no fetches before). */
  joined(): void {
    this.waiting = true;
    this.checked.clear();
  }

  /**
   * The stream rewound its partitions to these offsets (its 'offsets' event) after the member
   * joined and now owns `owned`. Answers the owned partitions it did not take back far enough:
   * records read there were never committed, yet the stream resumes past them (it keeps its
   * position on a partition without a committed offset), so they would be skipped.
   */
  rewound(
    starts: ReadonlyMap<string, number>,
    owned: ReadonlySet<string>,
  ): { where: string; read: number; start: number }[] {
    if (!this.waiting) return [];
    this.waiting = false;
    this.starts = new Map(starts);
    const behind: { where: string; read: number; start: number }[] = [];
    for (const [where, offsets] of this.seen) {
      const start = starts.get(where);
      if (start === undefined || !owned.has(where)) {
        this.seen.delete(where);
        continue;
      }
      let read: number | undefined;
      for (const offset of offsets)
        if (offset < start) {
          read = Math.min(read ?? offset, offset);
          offsets.delete(offset);
        }
      if (read !== undefined) behind.push({ where, read, start });
    }
    return behind;
  }

  /** Offsets below `offset` are committed: no rewind goes back past them. */
  committed(where: string, offset: number): void {
    const offsets = this.seen.get(where);
    if (offsets) for (const o of offsets) if (o < offset) offsets.delete(o);
  }

  /**
   * Every message the stream yields, in its order; `current` when it belongs to the member's
   * present generation and an owned partition (others are dropped by the caller anyway).
   */
  check(where: string, offset: number, current: boolean): Verdict {
    let verdict: Verdict = current ? "hand" : "drop";
    if (current && this.waiting) verdict = "drop";
    else if (current && !this.checked.has(where)) {
      this.checked.add(where);
      const start = this.starts.get(where);
      // Records between the rewind and this one were read before: this came from a fetch
      // issued before the join, and the stream will not read them again.
      if (start !== undefined && offset > start)
        for (const o of this.seen.get(where) ?? []) if (o >= start && o < offset) verdict = "stale";
    }
    let offsets = this.seen.get(where);
    if (!offsets) {
      offsets = new Set();
      this.seen.set(where, offsets);
    }
    offsets.add(offset);
    return verdict;
  }
}
