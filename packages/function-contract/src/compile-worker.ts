// The compile worker's entry: compiles one source at a time for compile-off-thread.ts, so a big
// or slow compile never holds the event loop of the process that asked for it.
import { parentPort } from "node:worker_threads";
import type { FunctionSource } from "@weir/domain";
import { compile } from "./compile";

parentPort?.on("message", (message: { id: number; source: FunctionSource }) => {
  const { problems } = compile(message.source);
  parentPort?.postMessage({ id: message.id, problems });
});
parentPort?.postMessage({ ready: true });
