// Debian's kcat, a Kafka client nobody here wrote, producing test input and reading test output.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Consumed {
  key: string;
  value: unknown;
}

/** Produces `key<TAB>value` lines; the broker auto-creates the topic if it does not exist. */
export async function kcatProduce(brokers: string, topic: string, lines: readonly string[]): Promise<void> {
  const child = run("kcat", ["-P", "-b", brokers, "-t", topic, "-K", "\t", "-H", "source=kcat"], {
    maxBuffer: 16 * 1024 * 1024,
  });
  child.child.stdin?.end(lines.map((line) => `${line}\n`).join(""));
  await child;
}

/** Reads a topic from its start to its current end. */
export async function kcatConsume(brokers: string, topic: string): Promise<Consumed[]> {
  const { stdout } = await run(
    "kcat",
    ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n"],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const tab = line.indexOf("\t");
      return { key: line.slice(0, tab), value: JSON.parse(line.slice(tab + 1)) as unknown };
    });
}

/**
 * Like kcatConsume, but a null Kafka value (a tombstone, which is how the kafka-sink writes a
 * record whose value is JSON null) reads as null instead of failing to parse.
 */
export async function kcatConsumeWithTombstones(brokers: string, topic: string): Promise<Consumed[]> {
  const { stdout } = await run(
    "kcat",
    ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-Z", "-f", "%k\t%s\n"],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const tab = line.indexOf("\t");
      const value = line.slice(tab + 1);
      // JSON text is never the bare word NULL: kcat -Z prints that for a null value only.
      return { key: line.slice(0, tab), value: value === "NULL" ? null : (JSON.parse(value) as unknown) };
    });
}

/**
 * A topic from its start to its current end as a consumer with isolation.level read_committed
 * sees it (librdkafka): one line per record in kcat's `format` (%p partition, %k key, %s value).
 */
export async function kcatReadCommitted(brokers: string, topic: string, format: string): Promise<string[]> {
  const { stdout } = await run(
    "kcat",
    [
      "-C",
      "-b",
      brokers,
      "-t",
      topic,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-X",
      "isolation.level=read_committed",
    ].concat(["-f", `${format}\n`]),
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout.split("\n").filter((line) => line.length > 0);
}

/** `count` lines over `keys` keys; `seq` counts per key, so order per key can be checked. */
export function inputLines(
  count: number,
  keys: number,
  from = 0,
): { key: string; n: number; line: string }[] {
  return [...Array(count).keys()].map((i) => {
    const n = from + i;
    const key = `k${String(n % keys)}`;
    const seq = Math.floor(n / keys);
    return { key, n, line: `${key}\t${JSON.stringify({ key, seq, n })}` };
  });
}
