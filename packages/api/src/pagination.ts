// Cursor pagination for every list procedure. A cursor is the sort key of the last item a
// caller has, so a page is found by a keyset (`WHERE key < cursor`), not an offset: rows created
// or deleted between two pages neither repeat nor vanish from the rest. Each list's cursor has a
// documented shape (its pattern is in the OpenAPI document) and any value of that shape is a
// position in the list, so a cursor is never "expired". `limit` left out means the whole list
// (what the editor asks for); REST always pages.
import { z } from "zod";

/** At most this many items per page; REST pages by `DEFAULT_PAGE_LIMIT` when no limit is given. */
export const MAX_PAGE_LIMIT = 1000;
export const DEFAULT_PAGE_LIMIT = 100;

export const pageLimit = z.number().int().min(1).max(MAX_PAGE_LIMIT).optional();

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/** `<milliseconds since 1970>_<id>`: a position in a list sorted by a time, ties by id. */
function timeAndId(idPattern: string, what: string) {
  return z
    .string()
    .regex(new RegExp(`^[0-9]{1,15}_${idPattern}$`), `must be the nextCursor of a page (<ms>_<${what}>)`)
    .describe("the nextCursor of the previous page");
}

export const cursors = {
  /** Flows and deployments (newest first): `<ms>_<uuid>`. */
  timeAndUuid: timeAndId(UUID, "uuid"),
  /** Artifacts (newest first): `<ms>_<sha256>`. */
  timeAndSha256: timeAndId("[0-9a-f]{64}", "sha256"),
  /** Engines (oldest first): `<ms>_<engine id>`. */
  timeAndText: timeAndId(".{1,256}", "engine id"),
  /** Lists by name (secrets, profiles, node types): the last name; the page starts after it. */
  name: z.string().min(1).max(512).describe("the nextCursor of the previous page (the last name)"),
  /** Versions (newest first): the last version number; the page starts below it. */
  version: z
    .string()
    .regex(/^[0-9]{1,10}$/, "must be the nextCursor of a page (a version number)")
    .describe("the nextCursor of the previous page"),
  /** Dead letters and audit events (newest first): the last id; the page starts below it. */
  bigintId: z
    .string()
    .regex(/^[0-9]{1,18}$/, "must be the nextCursor of a page (an id)")
    .describe("the nextCursor of the previous page"),
} as const;

/** A list's page input: `limit` and its kind of cursor. */
export function pageFields<C extends z.ZodType>(cursor: C) {
  return { limit: pageLimit, cursor: cursor.optional() };
}

/** The input of a list that takes nothing but a page. */
export function pageInput<C extends z.ZodType>(cursor: C) {
  return z.object(pageFields(cursor)).default({});
}

/**
 * Rows after the position in a (time, id) order, `desc` for lists newest first; a Prisma
 * where-clause fragment on the given column names.
 */
export function afterTimeAndId(
  cursor: string | undefined,
  columns: { time: string; id: string },
  direction: "asc" | "desc",
): Record<string, unknown> {
  if (cursor === undefined) return {};
  const split = cursor.indexOf("_");
  const at = new Date(Number(cursor.slice(0, split)));
  const id = cursor.slice(split + 1);
  const past = direction === "desc" ? "lt" : "gt";
  return {
    OR: [{ [columns.time]: { [past]: at } }, { [columns.time]: at, [columns.id]: { [past]: id } }],
  };
}

const ms = (iso: unknown): string => String(Date.parse(String(iso)));

/** How REST finds the cursor of a list's last item, by procedure (lists only). */
export const CURSOR_OF: Readonly<Record<string, (item: Record<string, unknown>) => string>> = {
  "flow.list": (f) => `${ms(f.updatedAt)}_${String(f.id)}`,
  "flow.versions": (v) => String(v.version),
  "deployment.list": (d) => `${ms(d.createdAt)}_${String(d.id)}`,
  "deadLetters.list": (d) => String(d.id),
  "secrets.list": (s) => String(s.name),
  "connections.list": (c) => String(c.name),
  "artifacts.list": (a) => `${ms(a.createdAt)}_${String(a.sha256)}`,
  "engine.list": (e) => `${ms(e.startedAt)}_${String(e.id)}`,
  "nodeTypes.list": (t) => String(t.type),
  "users.list": (u) => String(u.email),
  "tokens.list": (t) => `${ms(t.createdAt)}_${String(t.id)}`,
  "audit.list": (a) => String(a.id),
};

/**
 * A page as REST answers it: `nextCursor` is set when the page is full (there may be more; a full
 * last page is followed by an empty one), null when the list ended.
 */
export function toPage(
  procedure: string,
  items: readonly Record<string, unknown>[],
  limit: number,
): { items: readonly Record<string, unknown>[]; nextCursor: string | null } {
  const cursorOf = CURSOR_OF[procedure];
  if (!cursorOf) throw new Error(`${procedure} is not a paged list`);
  const last = items.at(-1);
  return { items, nextCursor: items.length >= limit && last ? cursorOf(last) : null };
}
