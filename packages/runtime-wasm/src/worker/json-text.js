// @ts-check
// Is a component's output value JSON text? A prebuilt component hands back each value as text it
// wrote itself; the engine passes that text on as it is (to the next function, the log, Kafka)
// and parses it only if something reads the value (@weir/domain `jsonTextRecord`), so it is
// checked here, in the worker, without building the value: this scan costs about half of
// JSON.parse on a 335-byte order (0.63 vs 1.37 µs; 0.30 vs 0.49 µs on the JSON transform's
// 150-byte output), whose result would be thrown away.
//
// Plain JavaScript: the worker loads it without a TS loader.

/** `checkJsonText` of text JSON.parse would reject. */
export const NOT_JSON = 0;
/** `checkJsonText` of JSON text without whitespace outside its strings, as JSON.stringify writes it. */
export const COMPACT_JSON = 1;
/** `checkJsonText` of JSON text with whitespace between its tokens (a raw newline, perhaps). */
export const SPACED_JSON = 2;

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_U = 0x75;

/** Characters that may follow a backslash in a JSON string (`u` is handled apart). */
const ESCAPES = new Uint8Array(128);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;

/** @param {number} c */
function isHex(c) {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** @param {number} c */
function isDigit(c) {
  return c >= ZERO && c <= NINE;
}

/** @param {number} c */
function isSpace(c) {
  return c === SPACE || c === NEWLINE || c === RETURN || c === TAB;
}

/**
 * Open containers while scanning: 1 for an array, 2 for an object. Shared (scans never overlap)
 * and grown as needed; JSON.parse has no fixed depth limit either.
 * @type {number[]}
 */
const open = [];

/** Whether the scan in progress has met whitespace outside strings. */
let spaced = false;

/**
 * The index of the first character at or after `i` that is not JSON whitespace.
 * @param {string} text
 * @param {number} i
 */
function skipSpace(text, i) {
  const end = text.length;
  if (i < end && !isSpace(text.charCodeAt(i))) return i;
  while (i < end && isSpace(text.charCodeAt(i))) {
    i++;
    spaced = true;
  }
  return i;
}

/**
 * Whether `text` is exactly one JSON value as JSON.parse accepts it, and whether it has
 * whitespace outside its strings (JSON.stringify writes none: such text is re-written before it
 * is passed on, so that a value never carries a raw newline into a JSON-lines batch).
 *
 * @param {string} text
 * @returns {typeof NOT_JSON | typeof COMPACT_JSON | typeof SPACED_JSON}
 */
export function checkJsonText(text) {
  spaced = false;
  const end = text.length;
  let depth = 0;
  let i = 0;
  for (;;) {
    // a value
    i = skipSpace(text, i);
    if (i >= end) return NOT_JSON;
    let c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i < 0) return NOT_JSON;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i = skipSpace(text, i + 1);
      if (i < end && text.charCodeAt(i) === close) {
        i++;
      } else {
        open[depth++] = c === OPEN_BRACE ? 2 : 1;
        if (c === OPEN_BRACE) {
          i = memberStart(text, i);
          if (i < 0) return NOT_JSON;
        }
        continue;
      }
    } else if (c === MINUS || isDigit(c)) {
      i = numberEnd(text, i);
      if (i < 0) return NOT_JSON;
    } else if (c === 0x74 /* t */ && text.startsWith("true", i)) {
      i += 4;
    } else if (c === 0x66 /* f */ && text.startsWith("false", i)) {
      i += 5;
    } else if (c === 0x6e /* n */ && text.startsWith("null", i)) {
      i += 4;
    } else {
      return NOT_JSON;
    }
    // after a value: close containers, or go on to the next element or member
    for (;;) {
      i = skipSpace(text, i);
      if (depth === 0) {
        if (i !== end) return NOT_JSON;
        return spaced ? SPACED_JSON : COMPACT_JSON;
      }
      if (i >= end) return NOT_JSON;
      c = text.charCodeAt(i);
      const inObject = open[depth - 1] === 2;
      if (c === (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) {
        depth--;
        i++;
        continue;
      }
      if (c !== COMMA) return NOT_JSON;
      i++;
      if (inObject) {
        i = memberStart(text, i);
        if (i < 0) return NOT_JSON;
      }
      break;
    }
  }
}

/**
 * After `{` or `,` in an object: whitespace, a key string, whitespace, `:`. Answers the index
 * after the colon, or -1.
 * @param {string} text
 * @param {number} i
 */
function memberStart(text, i) {
  const end = text.length;
  i = skipSpace(text, i);
  if (i >= end || text.charCodeAt(i) !== QUOTE) return -1;
  i = stringEnd(text, i);
  if (i < 0) return -1;
  i = skipSpace(text, i);
  if (i >= end || text.charCodeAt(i) !== COLON) return -1;
  return i + 1;
}

/**
 * The index after the string that starts at `i` (a quote), or -1 when it is not a JSON string:
 * unterminated, a raw control character, or a bad escape.
 * @param {string} text
 * @param {number} i
 */
function stringEnd(text, i) {
  const end = text.length;
  i++;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === LOWER_U) {
        if (
          !isHex(text.charCodeAt(i + 2)) ||
          !isHex(text.charCodeAt(i + 3)) ||
          !isHex(text.charCodeAt(i + 4)) ||
          !isHex(text.charCodeAt(i + 5))
        )
          return -1;
        i += 6;
        continue;
      }
      if (!(e < 128 && ESCAPES[e] === 1)) return -1;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * The index after the number that starts at `i`, or -1: `-? (0 | [1-9][0-9]*) (. [0-9]+)?
 * ([eE] [+-]? [0-9]+)?`.
 * @param {string} text
 * @param {number} i
 */
function numberEnd(text, i) {
  const end = text.length;
  if (text.charCodeAt(i) === MINUS) i++;
  if (i >= end) return -1;
  let c = text.charCodeAt(i);
  if (c === ZERO) {
    i++;
  } else if (isDigit(c)) {
    while (i < end && isDigit(text.charCodeAt(i))) i++;
  } else {
    return -1;
  }
  c = text.charCodeAt(i);
  if (c === DOT) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    c = text.charCodeAt(i);
  }
  if (c === LOWER_E || c === UPPER_E) {
    i++;
    c = text.charCodeAt(i);
    if (c === PLUS || c === MINUS) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}
