// The engine's LISTEN for deployment changes on real Postgres. A change committed before the LISTEN
// is in effect reaches no one (the deployment-signals engine test, with a 10-minute poll, then waited
// for a deploy that was committed between the engine's first reconcile and its LISTEN), so the
// listener says each time its LISTEN takes effect, on the first connect and after a reconnect.
import pg from "pg";
import { useTestDatabase } from "@weir/testkit/test-database";
import { afterEach, describe, expect, it } from "vitest";
import { DEPLOYMENT_CHANNEL, listenForDeployments } from "./deployment-signals";
import type { DeploymentSignals } from "./deployment-signals";

const t = useTestDatabase("weir_signals_test");
let signals: DeploymentSignals | undefined;
afterEach(async () => {
  await signals?.close();
  signals = undefined;
});

async function sql(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** Resolves on the next call of the returned callback. */
function nextCall<T>(): { wait: (what: string) => Promise<T>; call: (value: T) => void } {
  const waiting: ((value: T) => void)[] = [];
  return {
    call: (value) => {
      waiting.shift()?.(value);
    },
    wait: (what) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no ${what} within 20 s`));
        }, 20_000);
        waiting.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      }),
  };
}

describe("listenForDeployments", () => {
  it("says when its LISTEN is in effect, at the first connect and after a reconnect", async () => {
    const listening = nextCall<undefined>();
    const signalled = nextCall<string>();
    const errors: string[] = [];
    const first = listening.wait("first LISTEN");
    signals = listenForDeployments(t.url, {
      onSignal: signalled.call,
      onListening: () => {
        listening.call(undefined);
      },
      onError: (message) => errors.push(message),
      retryMs: 50,
    });
    await first;
    // From then on nothing is missed: a notification sent right away arrives.
    const heard = signalled.wait("notification after the first LISTEN");
    await sql(`NOTIFY ${DEPLOYMENT_CHANNEL}, 'after-first'`);
    expect(await heard).toBe("after-first");

    // The connection is cut (a Postgres restart, a proxy timeout): it reconnects, and says so again,
    // because whatever was committed while it was down was notified to nobody.
    const again = listening.wait("LISTEN after the reconnect");
    const cut = await sql(
      `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE query = 'LISTEN ${DEPLOYMENT_CHANNEL}' AND datname = current_database()`,
    );
    expect(cut.rows).toEqual([{ cut: true }]);
    await again;
    expect(errors.length).toBeGreaterThan(0);
    const heardAgain = signalled.wait("notification after the reconnect");
    await sql(`NOTIFY ${DEPLOYMENT_CHANNEL}, 'after-reconnect'`);
    expect(await heardAgain).toBe("after-reconnect");
  });
});
