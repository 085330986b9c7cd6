import type { JsonValue } from "@weir/domain";

/**
 * Fills a generator template: a string that is exactly "{{seq}}" becomes the number itself,
 * so templates produce typed JSON; placeholders inside longer strings are replaced as text.
 */
export function renderTemplate(template: JsonValue, seq: number, now: Date): JsonValue {
  if (typeof template === "string") {
    if (template === "{{seq}}") return seq;
    if (template === "{{now}}") return now.toISOString();
    return renderText(template, seq, now);
  }
  if (Array.isArray(template)) return template.map((item) => renderTemplate(item, seq, now));
  if (template !== null && typeof template === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(template)) out[key] = renderTemplate(value, seq, now);
    return out;
  }
  return template;
}

export function renderText(text: string, seq: number, now: Date): string {
  return text.replaceAll("{{seq}}", String(seq)).replaceAll("{{now}}", now.toISOString());
}
