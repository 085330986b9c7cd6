// The statements of `weir sql`, Function Stream's SQL for functions applied to flows:
//   CREATE FLOW WITH ('path'='flow.yaml');   SHOW FLOWS;
//   START FLOW x;   STOP FLOW x;   DROP FLOW x;
// Keywords are case-insensitive, each statement ends with `;`, `--` starts a comment to the end of
// the line. A name is a bare word (letters, digits, _ . -) or a quoted string ('…' or "…", the quote
// doubled inside). parseSql reads a whole script and reports the first thing it does not understand
// with its line and column, so a script can be refused before any of it runs.

export type SqlStatement =
  | { kind: "create"; path: string; line: number }
  | { kind: "show"; line: number }
  | { kind: "start" | "stop" | "drop"; flow: string; line: number };

export interface SqlPosition {
  line: number;
  column: number;
}

export class SqlSyntaxError extends Error {
  readonly position: SqlPosition;

  constructor(message: string, position: SqlPosition) {
    super(`line ${position.line}, column ${position.column}: ${message}`);
    this.name = "SqlSyntaxError";
    this.position = position;
  }
}

type Token =
  | { type: "word"; text: string; at: SqlPosition }
  | { type: "string"; text: string; at: SqlPosition }
  | { type: "punct"; text: "(" | ")" | "," | "=" | ";"; at: SqlPosition }
  | { type: "other"; text: string; at: SqlPosition }
  | { type: "end"; text: ""; at: SqlPosition };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): SqlPosition => ({ line, column: i - lineStart + 1 });
  while (i < source.length) {
    const c = source[i] ?? "";
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && source[i + 1] === "-") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "(" || c === ")" || c === "," || c === "=" || c === ";") {
      tokens.push({ type: "punct", text: c, at: here() });
      i++;
    } else if (c === "'" || c === '"') {
      const at = here();
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new SqlSyntaxError(`unterminated string (opened with ${c})`, at);
        const d = source[i] ?? "";
        if (d === c && source[i + 1] === c) {
          text += c;
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else {
          if (d === "\n") {
            line++;
            lineStart = i + 1;
          }
          text += d;
          i++;
        }
      }
      tokens.push({ type: "string", text, at });
    } else if (/[A-Za-z0-9_.\-/]/.test(c)) {
      const at = here();
      const start = i;
      while (i < source.length && /[A-Za-z0-9_.\-/]/.test(source[i] ?? "")) i++;
      tokens.push({ type: "word", text: source.slice(start, i), at });
    } else {
      // Reported by the parser where it is met, so the statement before it is what is blamed.
      tokens.push({ type: "other", text: c, at: here() });
      i++;
    }
  }
  tokens.push({ type: "end", text: "", at: here() });
  return tokens;
}

const describe = (t: Token): string =>
  t.type === "end" ? "the end of the input" : t.type === "string" ? `'${t.text}'` : JSON.stringify(t.text);

/** All statements of a script, in order; throws SqlSyntaxError at the first problem. */
export function parseSql(source: string): SqlStatement[] {
  const tokens = tokenize(source);
  let p = 0;
  const endToken = tokens[tokens.length - 1] ?? { type: "end", text: "", at: { line: 1, column: 1 } };
  const peek = (): Token => tokens[p] ?? endToken;
  const next = (): Token => {
    const t = peek();
    if (t.type !== "end") p++;
    return t;
  };
  const keyword = (word: string): Token => {
    const t = next();
    if (t.type !== "word" || t.text.toUpperCase() !== word)
      throw new SqlSyntaxError(`expected ${word}, found ${describe(t)}`, t.at);
    return t;
  };
  const punct = (text: string): void => {
    const t = next();
    if (t.type !== "punct" || t.text !== text)
      throw new SqlSyntaxError(`expected ${text}, found ${describe(t)}`, t.at);
  };
  const name = (what: string): string => {
    const t = next();
    if (t.type !== "word" && t.type !== "string")
      throw new SqlSyntaxError(`expected ${what}, found ${describe(t)}`, t.at);
    return t.text;
  };

  const statements: SqlStatement[] = [];
  for (;;) {
    while (peek().type === "punct" && peek().text === ";") next();
    const first = next();
    if (first.type === "end") return statements;
    const verb = first.type === "word" ? first.text.toUpperCase() : "";
    const line = first.at.line;
    if (verb === "CREATE") {
      keyword("FLOW");
      keyword("WITH");
      punct("(");
      const options = new Map<string, string>();
      for (;;) {
        const keyToken = next();
        if (keyToken.type !== "string")
          throw new SqlSyntaxError(
            `expected a quoted option name such as 'path', found ${describe(keyToken)}`,
            keyToken.at,
          );
        if (keyToken.text !== "path")
          throw new SqlSyntaxError(
            `unknown option '${keyToken.text}' (the only option is 'path')`,
            keyToken.at,
          );
        if (options.has(keyToken.text))
          throw new SqlSyntaxError(`option '${keyToken.text}' given twice`, keyToken.at);
        punct("=");
        const value = next();
        if (value.type !== "string")
          throw new SqlSyntaxError(`expected a quoted value, found ${describe(value)}`, value.at);
        options.set(keyToken.text, value.text);
        const sep = next();
        if (sep.type === "punct" && sep.text === ")") break;
        if (sep.type !== "punct" || sep.text !== ",")
          throw new SqlSyntaxError(`expected , or ), found ${describe(sep)}`, sep.at);
      }
      const path = options.get("path");
      if (path === undefined) throw new SqlSyntaxError("CREATE FLOW needs 'path'", first.at);
      statements.push({ kind: "create", path, line });
    } else if (verb === "SHOW") {
      keyword("FLOWS");
      statements.push({ kind: "show", line });
    } else if (verb === "START" || verb === "STOP" || verb === "DROP") {
      keyword("FLOW");
      statements.push({
        kind: verb.toLowerCase() as "start" | "stop" | "drop",
        flow: name("a flow name or id"),
        line,
      });
    } else {
      throw new SqlSyntaxError(
        `expected CREATE FLOW, SHOW FLOWS, START FLOW, STOP FLOW or DROP FLOW, found ${describe(first)}`,
        first.at,
      );
    }
    const end = next();
    if (end.type !== "punct" || end.text !== ";")
      throw new SqlSyntaxError(`expected ; at the end of the statement, found ${describe(end)}`, end.at);
  }
}

/** The `weir` command line that carries out a statement (the same code paths as the commands). */
export function statementArgs(statement: SqlStatement): string[] {
  switch (statement.kind) {
    case "create":
      return ["flows", "apply", "-f", statement.path];
    case "show":
      return ["flows", "list"];
    case "start":
      return ["deploy", statement.flow];
    case "stop":
      return ["stop", statement.flow];
    case "drop":
      return ["flows", "delete", statement.flow];
  }
}

/** Whether text holds at least one complete statement (ends with `;` outside strings and comments). */
export function endsStatement(text: string): boolean {
  let quote: string | null = null;
  let last = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (!/\s/.test(c)) {
      last = c;
    }
  }
  return quote === null && last === ";";
}
