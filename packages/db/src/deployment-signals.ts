// Engines hear about a deploy or a stop the moment it is committed: a trigger on `deployments`
// (migration 20261130080000_deployment_notify) NOTIFYs "weir_deployments" with the deployment's
// id, and each engine LISTENs on one connection of its own. Polling stays as the fallback, so a
// lost connection only makes an engine as slow as before until it reconnects. A change committed
// before the LISTEN took effect (the engine's first reconcile ran, then the connection was still
// being made; or the connection was down) sends no notification this connection will ever get, so
// every successful LISTEN is reported (`onListening`): the engine reconciles then, as if notified.
import pg from "pg";

export const DEPLOYMENT_CHANNEL = "weir_deployments";

export interface DeploymentSignals {
  close(): Promise<void>;
}

export interface DeploymentSignalOptions {
  /** Called with the deployment's id on every notification. */
  onSignal: (deploymentId: string) => void;
  /**
   * The LISTEN is in effect (first connect and each reconnect): a change committed before it was
   * notified to nobody, so the listener reconciles now rather than at its next poll.
   */
  onListening?: () => void;
  /** A dropped connection, and each reconnect (the poll covers the gap). */
  onError?: (message: string) => void;
  /** Delay before a reconnect after the connection dropped. */
  retryMs?: number;
}

export function listenForDeployments(
  databaseUrl: string,
  options: DeploymentSignalOptions,
): DeploymentSignals {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const retryMs = options.retryMs ?? 2000;

  const reconnectLater = (why: string): void => {
    if (closed || retry) return;
    options.onError?.(`listening for deployments failed (${why}); polling until it reconnects`);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, retryMs);
    retry.unref();
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl });
    client = next;
    next.on("notification", (message) => {
      if (message.channel === DEPLOYMENT_CHANNEL) options.onSignal(message.payload ?? "");
    });
    next.on("error", (error) => {
      reconnectLater(error.message);
    });
    next.on("end", () => {
      if (client === next) reconnectLater("connection ended");
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${DEPLOYMENT_CHANNEL}`);
      if (closed) await next.end();
      else options.onListening?.();
    } catch (error) {
      await next.end().catch(() => undefined);
      reconnectLater(error instanceof Error ? error.message : String(error));
    }
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
