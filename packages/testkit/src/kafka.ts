// Real single-node Kafka for tests, driven through scripts/kafka.sh so dev and tests share one setup.
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { ephemeralPort } from "./ports";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const script = fileURLToPath(new URL("../../../scripts/kafka.sh", import.meta.url));

export interface KafkaHandle {
  brokers: string;
  /** With `sasl: true`: a SASL_PLAINTEXT listener, SASL/PLAIN user `weir`, password `weir-secret`. */
  saslBrokers?: string;
  /**
   * With `tls: true`: a SASL_SSL listener (TLS, then the same SASL/PLAIN user) whose certificate,
   * for 127.0.0.1, is self-signed: `tlsCaFile` is the PEM a client must trust.
   */
  tlsBrokers?: string;
  tlsCaFile?: string;
  stop: () => Promise<void>;
  /** Stops the broker and starts it again on the same port and data, as after a crash or upgrade. */
  restart: (downMs?: number) => Promise<void>;
  /**
   * Freezes the broker process (SIGSTOP) for `ms`, then lets it go on (SIGCONT): to its clients
   * a network stall, with every connection open and nothing answered.
   */
  pause: (ms: number) => Promise<void>;
}

function kafkaSh(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", [script, ...args], { cwd: repoRoot, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `timed out after ${timeoutMs} ms` : `failed: ${err.message}`;
        reject(new Error(`scripts/kafka.sh ${args.join(" ")} ${why}\n${stderr.trim()}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => {
      resolve(false);
    });
    srv.listen(port, "127.0.0.1", () => {
      srv.close(() => {
        resolve(true);
      });
    });
  });
}

/** The broker needs two adjacent ports: PLAINTEXT on `port`, the KRaft controller on `port + 1`. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await ephemeralPort();
    if (port < 65535 && (await portFree(port + 1))) return port;
  }
  throw new Error("no two adjacent free ports found for Kafka");
}

export async function startKafka(
  opts: {
    port?: number;
    sasl?: boolean;
    tls?: boolean;
    /** The broker's retention check every this many ms (its default: 5 minutes). */
    retentionCheckMs?: number;
  } = {},
): Promise<KafkaHandle> {
  // A cold fetch downloads ~46 MB of jars through Maven; later runs return at once.
  await kafkaSh(["fetch"], 10 * 60_000);
  const port = opts.port ?? (await freePortPair());
  const portArgs = ["--port", String(port)];
  const taken = [port, port + 1];
  const extraPort = async (): Promise<number> => {
    let extra: number;
    do extra = await ephemeralPort();
    while (taken.includes(extra));
    taken.push(extra);
    return extra;
  };
  const saslPort = opts.sasl ? await extraPort() : undefined;
  const tlsPort = opts.tls ? await extraPort() : undefined;
  const extraArgs = [
    ...(saslPort === undefined ? [] : ["--sasl-port", String(saslPort)]),
    ...(tlsPort === undefined ? [] : ["--tls-port", String(tlsPort)]),
    ...(opts.retentionCheckMs === undefined ? [] : ["--retention-check-ms", String(opts.retentionCheckMs)]),
  ];
  await kafkaSh(["start", ...portArgs, ...extraArgs], 120_000);
  let stopped = false;
  return {
    brokers: `127.0.0.1:${port}`,
    ...(saslPort === undefined ? {} : { saslBrokers: `127.0.0.1:${String(saslPort)}` }),
    ...(tlsPort === undefined
      ? {}
      : {
          tlsBrokers: `127.0.0.1:${String(tlsPort)}`,
          tlsCaFile: `${repoRoot}.weir/kafka/data-${port}/ca.pem`,
        }),
    restart: async (downMs = 0) => {
      await kafkaSh(["stop", ...portArgs], 60_000);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await kafkaSh(["start", ...portArgs, "--keep"], 120_000);
    },
    pause: async (ms) => {
      const pid = Number((await readFile(`${repoRoot}.weir/kafka/data-${port}/kafka.pid`, "utf8")).trim());
      process.kill(pid, "SIGSTOP");
      try {
        await new Promise((resolve) => setTimeout(resolve, ms));
      } finally {
        process.kill(pid, "SIGCONT");
      }
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await kafkaSh(["stop", ...portArgs], 60_000);
      // Random ports would otherwise leave a data dir behind on every run.
      await rm(`${repoRoot}.weir/kafka/data-${port}`, { recursive: true, force: true });
    },
  };
}
