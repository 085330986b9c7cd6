/**
 * Which records start a recorded trace. `root` decides for a record that starts a trace here; a
 * record that comes with a traceparent keeps its caller's decision when the sampler is parent-based.
 */
export interface Sampler {
  parentBased: boolean;
  /** How many of the next `n` records that start a trace here are traced (the first ones): one decision per batch. */
  roots(n: number): number;
  describe: string;
}

/** Traces a second the default sampler starts (per engine): enough to open a record's trace in the editor. */
export const DEFAULT_TRACES_PER_SECOND = 10;

/**
 * At most `perSecond` new traces a second (a token bucket holding one second's worth): a flow
 * with a few records a second, as one a person is trying in the editor, has every record traced,
 * and one with 100,000 a second pays for 10 traces. Time is read once per batch.
 */
export function rateLimited(
  perSecond: number,
  now: () => number = () => performance.now(),
): (n: number) => number {
  let tokens = perSecond;
  let last = now();
  return (n) => {
    const at = now();
    tokens = Math.min(perSecond, tokens + ((at - last) * perSecond) / 1000);
    last = at;
    const taken = Math.min(n, Math.floor(tokens));
    tokens -= taken;
    return taken;
  };
}

/** Each of `n` records traced with probability `ratio`. */
function byRatio(ratio: number): (n: number) => number {
  return (n) => {
    let taken = 0;
    for (let i = 0; i < n; i++) if (Math.random() < ratio) taken++;
    return taken;
  };
}

const NAMES = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;

/**
 * The sampler the standard `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` name; unset, Weir's
 * default: parent-based, and at most `WEIR_TRACES_PER_SECOND` (10) new traces a second. An unknown
 * name or a bad argument is refused, saying what there is.
 */
export function samplerOf(
  name: string | undefined,
  arg: string | undefined,
  perSecondSetting?: string,
): Sampler {
  const chosen = name?.trim() ?? "";
  if (chosen === "") {
    const perSecond =
      perSecondSetting === undefined || perSecondSetting.trim() === ""
        ? DEFAULT_TRACES_PER_SECOND
        : Number(perSecondSetting);
    if (!Number.isFinite(perSecond) || perSecond < 0)
      throw new Error(
        `WEIR_TRACES_PER_SECOND must be a number of traces a second, 0 or more (got '${String(perSecondSetting)}')`,
      );
    return {
      parentBased: true,
      roots: perSecond === 0 ? () => 0 : rateLimited(perSecond),
      describe: `parent-based, at most ${perSecond} new traces a second`,
    };
  }
  const ratio = arg === undefined || arg.trim() === "" ? 1 : Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got '${String(arg)}')`);
  if (!(NAMES as readonly string[]).includes(chosen))
    throw new Error(
      `OTEL_TRACES_SAMPLER '${chosen}' is not one of ${NAMES.join(", ")} (or unset: at most WEIR_TRACES_PER_SECOND new traces a second)`,
    );
  const base = chosen.replace(/^parentbased_/, "");
  const roots = base === "always_on" ? (n: number) => n : base === "always_off" ? () => 0 : byRatio(ratio);
  return {
    parentBased: chosen.startsWith("parentbased_"),
    roots,
    describe: base === "traceidratio" ? `${chosen} ${ratio}` : chosen,
  };
}
