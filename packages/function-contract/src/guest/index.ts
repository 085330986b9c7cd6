// The guest core (core.js) and the adapters beside each runtime are ES modules, so that they are
// type-checked and unit-tested as modules; the sandboxes load them as text. These helpers make
// that text: a module becomes an expression whose value holds its exported functions.
import { readFileSync } from "node:fs";
import type { WeirRecord } from "@weir/domain";

const EXPORTED_FUNCTION = /^export (async )?function (\w+)/gm;

/**
 * A module with no imports whose exports are all `export function name(…)` declarations, as an
 * expression (`(function () { … return { name, … }; })()`) to embed in a script or another
 * module. Line N of the module stays line N + 1 of the expression.
 */
export function moduleAsExpression(text: string, file = "module"): string {
  const names: string[] = [];
  const body = text.replace(EXPORTED_FUNCTION, (_match, isAsync: string | undefined, name: string) => {
    names.push(name);
    return `${isAsync ?? ""}function ${name}`;
  });
  const stray = /^\s*(import|export)\b/m.exec(body);
  if (stray) {
    throw new Error(
      `${file}: only \`export function\` declarations can be loaded as a guest script, found ${stray[0].trim()}`,
    );
  }
  if (names.length === 0) throw new Error(`${file}: exports no function`);
  return `(function () {\n${body}\nreturn { ${names.join(", ")} };\n})()`;
}

let coreText: string | undefined;

/** The guest core (core.js) as an expression whose value has `createGuest`. */
export function guestCoreExpression(): string {
  coreText ??= moduleAsExpression(readFileSync(new URL("./core.js", import.meta.url), "utf8"), "core.js");
  return coreText;
}

/** A batch as the guest core reads it: "<count>\n<record JSON>\n…" (JSON never holds a raw newline). */
export function encodeBatch(batch: readonly WeirRecord[]): string {
  let text = String(batch.length);
  for (const record of batch) text += `\n${JSON.stringify(record)}`;
  return text;
}
