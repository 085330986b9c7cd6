// How dates, durations, sizes and rates read on the management pages.

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "3 s", "4 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${String(s)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${String(min)} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${String(h)} h ${String(min % 60)} min`;
  return `${String(Math.floor(h / 24))} d ${String(h % 24)} h`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatRate(perSec: number): string {
  if (perSec === 0) return "0/s";
  if (perSec < 10) return `${perSec.toFixed(1)}/s`;
  return `${Math.round(perSec).toLocaleString("en-US")}/s`;
}
