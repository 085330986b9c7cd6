// The engine process: `tsx src/main.ts`, configured by environment (see env.ts).
import { networkInterfaces } from "node:os";
import { configureOutboundPolicy } from "@weir/connectors";
import { createDb, listenForDeployments, migrate, prepareSecretStore } from "@weir/db";
import { resolveConnection } from "./stores/connection-store";
import type { FunctionRuntime } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { jsRuntime } from "@weir/runtime-js";
import { pythonRuntime } from "@weir/runtime-python";
import { wasmRuntime } from "@weir/runtime-wasm";
import { Engine } from "./engine";
import {
  engineKeys,
  httpPolicySettings,
  kafkaTransportSettings,
  outboundPolicySettings,
  readEngineEnv,
  readLogOptions,
} from "./env";
import { configureHttpPolicy } from "./http-guard";
import { createLogger } from "./logger";

const log = createLogger("engine", readLogOptions());

async function main(): Promise<void> {
  const env = readEngineEnv();
  configureHttpPolicy(httpPolicySettings(env));
  const ownAddresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((info) => (info ? [info.address] : []));
  configureOutboundPolicy(outboundPolicySettings(env, env.WEIR_ENGINE_PORT, ownAddresses));
  await migrate(env.DATABASE_URL, {
    log: (message) => {
      log.info(message);
    },
  });
  const db = createDb(env.DATABASE_URL, engineKeys(env));
  // Refuses to run without the key (or with another) once secrets are encrypted; seals old rows.
  const secrets = await prepareSecretStore(db);
  if (secrets.sealedNow > 0)
    log.info(`encrypted ${secrets.sealedNow} secret value(s) stored before encryption`);
  if (secrets.plain > 0) {
    log.warn(`${secrets.plain} secret value(s) are stored unencrypted: set WEIR_SECRET_KEY to encrypt them`);
  }
  const runtimes = new Map<string, FunctionRuntime>(
    [jsRuntime, wasmRuntime, pythonRuntime].map((runtime) => [runtime.name, runtime]),
  );
  const engine = new Engine(
    db,
    {
      engineId: env.WEIR_ENGINE_ID,
      host: env.WEIR_ENGINE_HOST,
      port: env.WEIR_ENGINE_PORT,
      publicUrl: env.WEIR_ENGINE_PUBLIC_URL,
      reconcileMs: env.WEIR_RECONCILE_MS,
      leaseMs: env.WEIR_LEASE_MS,
      queueCapacity: env.WEIR_QUEUE_CAPACITY,
      drainTimeoutMs: env.WEIR_DRAIN_TIMEOUT_MS,
      kafka: await kafkaTransportSettings(env, (name) => resolveConnection(db, name)),
      kafkaClient: env.WEIR_KAFKA_CLIENT,
    },
    runtimes,
    log,
  );
  await engine.start();
  const deploymentSignals =
    env.WEIR_LISTEN_DEPLOYMENTS === "on"
      ? listenForDeployments(env.DATABASE_URL, {
          onSignal: () => {
            engine.wakeNow();
          },
          // Whatever was deployed or stopped between the first reconcile and the LISTEN.
          onListening: () => {
            engine.setListening(true);
            engine.wakeNow();
          },
          onError: (message) => {
            engine.setListening(false);
            log.warn(message);
          },
        })
      : { close: () => Promise.resolve() };
  // The first compile and sandbox of a process are slow; pay for them now, not on the first deploy.
  for (const runtime of runtimes.values()) {
    runtime.warmUp?.().catch((error: unknown) => {
      log.warn(`warming up the ${runtime.name} runtime failed: ${errorMessage(error)}`);
    });
  }
  // With WEIR_ENGINE_PORT=0 the port is known only now.
  const ingestPort = Number(new URL(engine.ingestUrl).port || "80");
  configureOutboundPolicy(outboundPolicySettings(env, ingestPort, ownAddresses));

  let signals = 0;
  const stop = (signal: string): void => {
    if (++signals > 1) {
      log.warn(`second ${signal}: exiting without draining`);
      process.exit(1);
    }
    log.info(`${signal}: draining and stopping`);
    deploymentSignals
      .close()
      .then(() => engine.shutdown())
      .then(() => db.$disconnect())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error(`shutdown failed: ${errorMessage(error)}`);
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => {
    stop("SIGTERM");
  });
  process.on("SIGINT", () => {
    stop("SIGINT");
  });
  // User code and connectors run inside this process; one stray rejection must not end it.
  process.on("unhandledRejection", (reason) => {
    log.error(`unhandled rejection: ${errorMessage(reason)}`);
  });
}

main().catch((error: unknown) => {
  log.error(`engine failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
