export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The schema a sink would write is refused by the subject's compatibility rule (a deploy-time error). */
export class SchemaCompatibilityError extends Error {
  override name = "SchemaCompatibilityError";
  constructor(
    readonly subject: string,
    readonly messages: readonly string[],
  ) {
    super(
      `the schema is not compatible with the latest version of subject '${subject}'` +
        (messages.length > 0 ? `: ${messages.join("; ")}` : ""),
    );
  }
}
