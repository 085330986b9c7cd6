import { z } from "zod";
import { LIMITS } from "./limits";
import type { NodeTypeDefinition } from "./node-type";
import { DEFAULT_PORT } from "./record";

/** The runtimes a function node can ask for; all implement one contract (`FunctionRuntime`). */
export const functionRuntimes = ["js", "wasm", "python"] as const;
export type FunctionRuntimeName = (typeof functionRuntimes)[number];

/** The languages of a function's code: TypeScript/JavaScript (js, wasm) or Python (python). */
export const functionLanguages = ["typescript", "javascript", "python"] as const;
export type FunctionLanguage = (typeof functionLanguages)[number];

/** How an uploaded WebAssembly component is named: the SHA-256 of its bytes, in lowercase hex. */
export const artifactHashSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "an artifact is the SHA-256 of a component: 64 lowercase hex digits");

/**
 * A requirement as pip reads it, restricted to a name (PEP 508), optional extras and version
 * specifiers: nothing pip would take as an option, a URL or a path.
 */
const REQUIREMENT =
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*\])?(?:\s*(?:===|==|~=|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+(?:\s*,\s*(?:===|==|~=|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+)*)?$/;

export const functionConfigSchema = z.object({
  /**
   * `js` runs `code` in a V8 isolate; `wasm` runs a WebAssembly component: the uploaded one
   * `artifact` names, or one the runtime builds from `code`; `python` runs Python `code` in a
   * sandboxed CPython process (language "python").
   */
  runtime: z.enum(functionRuntimes).default("js"),
  language: z.enum(functionLanguages).default("typescript"),
  /** May be empty while a flow is drafted; validateFlow reports it, and deploy refuses it. */
  code: z
    .string()
    .max(LIMITS.codeBytes, `must be at most ${LIMITS.codeBytes} characters (and bytes of UTF-8)`)
    .default(""),
  /** An uploaded component (`artifacts.upload`), for `runtime: "wasm"` instead of `code`. */
  artifact: artifactHashSchema.optional(),
  /** Values the function reads as ctx.params. */
  params: z.record(z.string(), z.unknown()).default({}),
  /** Records handed to the runtime per call; batches amortise the sandbox crossing. */
  batchSize: z.number().int().min(1).max(10_000).default(100),
  /** Per-call time limit in milliseconds (CPU and waiting alike). */
  timeoutMs: z.number().int().min(1).max(60_000).default(1_000),
  /** Heap limit of each instance, in MiB. */
  memoryLimitMb: z.number().int().min(8).max(4096).default(64),
  /** Tries per record (the first included) before it goes to the dead-letter store. */
  maxAttempts: z.number().int().min(1).max(20).default(3),
  /** Delay before the first retry, doubled for each further one. */
  retryBackoffMs: z.number().int().min(0).max(60_000).default(100),
  /**
   * Python packages (`name`, `name==1.2`, `name[extra]>=1,<2`) a `python` function imports,
   * installed from wheels into a venv cached by the list at deploy. Names and version specifiers
   * only: no options, URLs or paths.
   */
  requirements: z
    .array(
      z
        .string()
        .max(200, "a requirement is at most 200 characters")
        .regex(
          REQUIREMENT,
          "a requirement is a package name with optional extras and version specifiers, e.g. 'requests==2.32.3'",
        ),
    )
    .max(50, "a function lists at most 50 requirements")
    .default([]),
  /** Names of secrets this function may read as ctx.secrets.NAME, resolved at deploy time. */
  secrets: z
    .array(
      z
        .string()
        .max(256, "a secret name is at most 256 characters")
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a secret name is letters, digits and '_'"),
    )
    .max(100, "a function reads at most 100 secrets")
    .default([]),
});
export type FunctionConfig = z.infer<typeof functionConfigSchema>;

export const functionNodeType: NodeTypeDefinition<FunctionConfig> = {
  type: "function",
  version: 1,
  kind: "function",
  name: "Function",
  description:
    "Runs your TypeScript, JavaScript or Python, or a WebAssembly component, on every record; returns or emits records to its ports.",
  icon: "code",
  configSchema: functionConfigSchema,
  ports: { userDefined: { default: [DEFAULT_PORT] } },
};
