// A unified diff of two texts by lines (longest common subsequence), for showing what changed in
// a function's code. Texts whose line counts multiply past MAX_CELLS are summarised instead.

const MAX_CELLS = 4_000_000;

type Op = { kind: " " | "-" | "+"; line: string };

function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lengths[i * (m + 1) + j]: the LCS of a[i..] and b[j..].
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * (m + 1) + j] ?? 0, lengths[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] ?? "" });
      i++;
      j++;
    } else if ((lengths[(i + 1) * (m + 1) + j] ?? 0) >= (lengths[i * (m + 1) + j + 1] ?? 0)) {
      ops.push({ kind: "-", line: a[i++] ?? "" });
    } else {
      ops.push({ kind: "+", line: b[j++] ?? "" });
    }
  }
  while (i < n) ops.push({ kind: "-", line: a[i++] ?? "" });
  while (j < m) ops.push({ kind: "+", line: b[j++] ?? "" });
  return ops;
}

/** `@@ -l,s +l,s @@` hunks with `context` unchanged lines around each change; [] when equal. */
export function unifiedDiff(before: string, after: string, context = 3): string[] {
  if (before === after) return [];
  const a = before.split("\n");
  const b = after.split("\n");
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    return [`(code changed: ${a.length} → ${b.length} lines; too long to diff here)`];
  }
  const ops = lcsOps(a, b);
  const changed = ops.map((op, k) => (op.kind === " " ? -1 : k)).filter((k) => k >= 0);
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const first = changed[k] ?? 0;
    let last = first;
    while (k + 1 < changed.length && (changed[k + 1] ?? 0) - last <= 2 * context + 1)
      last = changed[++k] ?? last;
    k++;
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length - 1, last + context);
    // Line numbers where the hunk starts in each text: count the lines each side had before it.
    let lineA = 1;
    let lineB = 1;
    for (let x = 0; x < start; x++) {
      const op = ops[x];
      if (op?.kind !== "+") lineA++;
      if (op?.kind !== "-") lineB++;
    }
    const hunk = ops.slice(start, end + 1);
    const countA = hunk.filter((op) => op.kind !== "+").length;
    const countB = hunk.filter((op) => op.kind !== "-").length;
    out.push(`@@ -${lineA},${countA} +${lineB},${countB} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
  }
  return out;
}
