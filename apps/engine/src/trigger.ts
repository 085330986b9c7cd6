// Runs a function's code on sample records without deploying it (Pulsar's `functions trigger`,
// the editor's Test button), under the same runtime, sandbox and limits as a deployment, with
// throwaway in-memory state.
import { z } from "zod";
import type { FunctionRuntime, JsonValue, StateWrite, WeirRecord } from "@weir/domain";
import { DEFAULT_PORT, errorMessage, functionConfigSchema, jsonValueSchema } from "@weir/domain";
import { redact } from "./stores/secret-store";

export const triggerRequestSchema = z
  .object({
    code: functionConfigSchema.shape.code,
    language: functionConfigSchema.shape.language,
    runtime: functionConfigSchema.shape.runtime,
    /** With runtime "wasm": the sha256 of an uploaded component, run instead of code. */
    artifact: functionConfigSchema.shape.artifact,
    params: z.record(z.string(), z.unknown()).default({}),
    ports: z.array(z.string().min(1)).min(1).default([DEFAULT_PORT]),
    secrets: functionConfigSchema.shape.secrets,
    requirements: functionConfigSchema.shape.requirements,
    timeoutMs: functionConfigSchema.shape.timeoutMs,
    memoryLimitMb: functionConfigSchema.shape.memoryLimitMb,
    records: z
      .array(
        z.object({
          value: jsonValueSchema,
          key: z.string().nullable().default(null),
          headers: z.record(z.string(), z.string()).default({}),
          timestamp: z.number().int().nonnegative().optional(),
        }),
      )
      .min(1, "give at least one record")
      .max(1000),
  })
  .refine((request) => (request.artifact !== undefined) === (request.code.trim() === ""), {
    message: "give code, or with runtime 'wasm' an artifact, not both",
    path: ["code"],
  })
  .refine((request) => request.artifact === undefined || request.runtime === "wasm", {
    message: "an artifact runs only with runtime 'wasm'",
    path: ["artifact"],
  })
  .refine((request) => (request.runtime === "python") === (request.language === "python"), {
    message: "Python code runs with runtime 'python', and runtime 'python' runs Python code",
    path: ["language"],
  });

export type TriggerResponse =
  | {
      ok: true;
      results: { outputs: Record<string, WeirRecord[]>; error: { message: string; line?: number } | null }[];
      logs: { level: string; message: string }[];
      state: Record<string, JsonValue>;
      metrics: { counters: Record<string, number>; histograms: Record<string, number[]> };
      timing: { instanceMs: number; processMs: number; perRecordUs: number };
    }
  | {
      ok: false;
      problems: { message: string; line?: number; column?: number }[];
      logs: { level: string; message: string }[];
    };

export async function trigger(
  body: unknown,
  runtimes: ReadonlyMap<string, FunctionRuntime>,
  resolveSecrets: (names: readonly string[]) => Promise<Record<string, string>>,
  loadArtifact: (sha256: string) => Promise<Uint8Array>,
): Promise<TriggerResponse> {
  const request = triggerRequestSchema.parse(body);
  const runtime = runtimes.get(request.runtime);
  if (!runtime) throw new Error(`runtime '${request.runtime}' is not available in this engine`);
  const logs: { level: string; message: string }[] = [];
  const component = request.artifact === undefined ? undefined : await loadArtifact(request.artifact);
  if (!component) {
    const problems = await runtime.check({ code: request.code, language: request.language });
    if (problems.length > 0) return { ok: false, problems, logs };
  }

  const secrets = await resolveSecrets(request.secrets);
  const state = new Map<string, JsonValue>();
  const counters: Record<string, number> = {};
  const histograms: Record<string, number[]> = {};
  const log = (level: string) => (message: string) => {
    if (logs.length < 1000) logs.push({ level, message: redact(message, secrets) });
  };
  const host = {
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    secrets,
    state: {
      get: (key: string) => Promise.resolve(state.get(key)),
      apply: (writes: readonly StateWrite[]) => {
        for (const write of writes) {
          if ("delete" in write) state.delete(write.key);
          else state.set(write.key, write.value);
        }
        return Promise.resolve();
      },
    },
    metrics: {
      counter: (name: string, increment: number) => {
        counters[name] = (counters[name] ?? 0) + increment;
      },
      histogram: (name: string, value: number) => {
        (histograms[name] ??= []).push(value);
      },
    },
  };

  const started = performance.now();
  let instance;
  try {
    instance = await runtime.createInstance(
      {
        nodeId: "trigger",
        code: request.code,
        language: request.language,
        params: request.params,
        ports: request.ports,
        timeoutMs: request.timeoutMs,
        memoryLimitMb: request.memoryLimitMb,
        ...(component ? { component } : {}),
        ...(request.requirements.length > 0 ? { requirements: request.requirements } : {}),
      },
      host,
    );
  } catch (error) {
    return { ok: false, problems: [{ message: errorMessage(error) }], logs };
  }
  const instanceMs = performance.now() - started;
  const now = Date.now();
  const records: WeirRecord[] = request.records.map((r) => ({ ...r, timestamp: r.timestamp ?? now }));
  const processStarted = performance.now();
  try {
    const outcomes = await instance.process(records);
    const processMs = performance.now() - processStarted;
    return {
      ok: true,
      results: outcomes.map((outcome) => {
        if (!outcome.ok) return { outputs: {}, error: outcome.error };
        const outputs: Record<string, WeirRecord[]> = {};
        for (const { port, record } of outcome.outputs) (outputs[port] ??= []).push(record);
        return { outputs, error: null };
      }),
      logs,
      state: Object.fromEntries(state),
      metrics: { counters, histograms },
      timing: { instanceMs, processMs, perRecordUs: (processMs * 1000) / records.length },
    };
  } finally {
    await instance.close();
  }
}
