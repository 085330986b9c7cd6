// CPU time and resident memory of processes, read from /proc (Linux), for the density benchmark.
import { readFile, readdir } from "node:fs/promises";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** User plus system CPU time, in seconds. */
  cpuSeconds: number;
}

async function readStat(pid: number): Promise<ProcStat | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${String(pid)}/stat`, "utf8");
  } catch {
    return null; // the process ended
  }
  // comm is in parentheses and may hold spaces; the fields after it are space-separated.
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text
    .slice(close + 2)
    .trim()
    .split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { pid, ppid, comm, cpuSeconds: (utime + stime) / TICKS_PER_SECOND };
}

/** The process's CPU time (user + system, all its threads) in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readStat(pid);
  if (stat === null) throw new Error(`process ${String(pid)} is gone`);
  return stat.cpuSeconds;
}

/** The process's resident set size in bytes (VmRSS). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${String(pid)}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds summed over every descendant of `root` whose command name is `comm` (e.g. postgres). */
export async function descendantsCpuSeconds(root: number, comm: string): Promise<number> {
  const stats: ProcStat[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  const parentOf = new Map(stats.map((s) => [s.pid, s.ppid]));
  const descends = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p))
      if (p === root) return true;
    return false;
  };
  return stats.filter((s) => s.comm === comm && descends(s.pid)).reduce((sum, s) => sum + s.cpuSeconds, 0);
}

export interface Window {
  /** CPU of the process over the window, in percent of one core. */
  cpuPercent: number;
  /** Resident memory at the end of the window, in bytes. */
  rss: number;
  /** CPU of the other processes counted (e.g. Postgres), percent of one core; 0 when none. */
  otherCpuPercent: number;
}

/**
 * Measures `pid` over `seconds`: CPU from the difference of its /proc CPU time across the window,
 * and `other` (another set of processes, such as the database the engine talks to) the same way.
 */
export async function measureWindow(
  pid: number,
  seconds: number,
  other: () => Promise<number> = () => Promise.resolve(0),
): Promise<Window> {
  const cpu0 = await cpuSeconds(pid);
  const other0 = await other();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu1 = await cpuSeconds(pid);
  const other1 = await other();
  const elapsed = (performance.now() - t0) / 1000;
  return {
    cpuPercent: ((cpu1 - cpu0) / elapsed) * 100,
    otherCpuPercent: ((other1 - other0) / elapsed) * 100,
    rss: await rssBytes(pid),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
