const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Reads a source map's `mappings` into "generated line → original line" (both 1-based), which
 * is all we need to point an error at the user's own line after TypeScript reprinted the code.
 */
export function lineMapFrom(mappings: string): Map<number, number> {
  const map = new Map<number, number>();
  let originalLine = 0;
  mappings.split(";").forEach((segments, generatedIndex) => {
    for (const segment of segments.split(",")) {
      if (segment === "") continue;
      const fields = decodeVlq(segment);
      if (fields.length >= 4) {
        originalLine += fields[2] ?? 0;
        if (!map.has(generatedIndex + 1)) map.set(generatedIndex + 1, originalLine + 1);
      }
    }
  });
  return map;
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
