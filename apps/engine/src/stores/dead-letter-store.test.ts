import type { Db } from "@weir/db";
import { describe, expect, it } from "vitest";
import type { DeadLetterEntry } from "../flow/services";
import { DeadLetterStore } from "./dead-letter-store";

const entry = (n: number): DeadLetterEntry => ({
  deployment: { id: "d", flowId: "f", flowVersionId: "v", version: 1 },
  nodeId: "n",
  record: { key: null, value: { n }, headers: {}, timestamp: 0 },
  error: "boom",
  attempts: 1,
});

/** A database whose writes fail while `down` is set, recording what it stored. */
function fakeDb() {
  const stored: unknown[] = [];
  const state = { down: false };
  const db = {
    deadLetter: {
      createMany: ({ data }: { data: unknown[] }) =>
        state.down ? Promise.reject(new Error("database away")) : Promise.resolve(stored.push(...data)),
    },
  } as unknown as Db;
  return { db, stored, state };
}

describe("DeadLetterStore.persisted", () => {
  it("resolves at once when nothing waits to be written", async () => {
    await new DeadLetterStore(fakeDb().db).persisted();
  });

  it("writes what was added and resolves once it is stored", async () => {
    const { db, stored } = fakeDb();
    const store = new DeadLetterStore(db);
    store.add(entry(1));
    store.add(entry(2));
    await store.persisted();
    expect(stored).toHaveLength(2);
  });

  it("keeps waiting while the database is away and resolves after a later flush succeeds", async () => {
    const { db, stored, state } = fakeDb();
    const store = new DeadLetterStore(db);
    state.down = true;
    store.add(entry(1));
    let done = false;
    const waiting = store.persisted().then(() => (done = true));
    await expect(store.flush()).rejects.toThrow("database away");
    expect(done).toBe(false);
    state.down = false;
    await store.flush();
    await waiting;
    expect(stored).toHaveLength(1);
  });
});

describe("DeadLetterStore with a poison entry", () => {
  it("writes the others, stores the poison in the safe encoding and resolves persisted()", async () => {
    const stored: { record: unknown }[] = [];
    // Refuses any batch holding the poison as given, as Postgres refuses NUL in jsonb.
    const db = {
      deadLetter: {
        createMany: ({ data }: { data: { record: unknown }[] }) =>
          data.some((row) => JSON.stringify(row.record).includes('"poison"'))
            ? Promise.reject(new Error("unsupported Unicode escape sequence"))
            : Promise.resolve(stored.push(...data)),
      },
    } as unknown as Db;
    const store = new DeadLetterStore(db);
    store.add(entry(1));
    store.add({ ...entry(2), record: { key: null, value: "poison", headers: {}, timestamp: 0 } });
    store.add(entry(3));
    await store.persisted();
    expect(stored).toHaveLength(3);
    expect(stored[1]?.record).toEqual({
      "$weir:json": JSON.stringify({ key: null, value: "poison", headers: {}, timestamp: 0 }),
    });
  });
});
