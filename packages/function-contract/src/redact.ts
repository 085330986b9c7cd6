/** Replaces every secret value in a text with `***`, longest secrets first. */
export function secretRedactor(secrets: Readonly<Record<string, string>>): (text: string) => string {
  const values = [...new Set(Object.values(secrets))]
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join("***");
    return out;
  };
}
