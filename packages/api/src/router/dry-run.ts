import { TRPCError } from "@trpc/server";
import { builtinRegistry } from "@weir/connectors/definitions";
import { functionConfigSchema, idSchema, jsonValueSchema, portsOf } from "@weir/domain";
import { z } from "zod";
import { validFlowOrThrow } from "../code-check";
import type { DryRunResult } from "../dry-run";
import { dryRunFlow } from "../dry-run";
import { postToEngine, requireLiveEngine } from "../engine-client";
import { InputError } from "../errors";
import { createTRPCRouter, editorProcedure } from "../trpc";
import type { TriggerResult } from "./functions";

const sampleRecord = z.object({
  value: jsonValueSchema,
  key: z.string().max(1000, "must be at most 1000 characters").nullable().optional(),
  headers: z.record(z.string().max(256), z.string().max(8192)).optional(),
  timestamp: z.number().int().nonnegative().optional(),
});

export const dryRunRouter = createTRPCRouter({
  /**
   * Runs a whole flow (as the editor holds it, saved or not) on sample records without deploying
   * it: the records enter at `source`, every function runs in a live engine under its own
   * sandbox and limits (the engine's /trigger), every sink captures what it would write and
   * nothing is sent. Answers the records on each edge, each function's logs and failures and
   * each sink's captured records. A flow that does not validate is refused with its problems.
   */
  run: editorProcedure
    .input(
      z.object({
        spec: z.unknown(),
        source: idSchema,
        records: z.array(sampleRecord).min(1).max(1000),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<DryRunResult> => {
      const spec = await validFlowOrThrow(input.spec, ctx.db);
      const index = spec.nodes.findIndex((n) => n.id === input.source);
      if (spec.nodes[index]?.kind !== "source") {
        throw new InputError([
          {
            path: ["source"],
            message: `'${input.source}' is not a source of this flow`,
            code: "kind_mismatch",
          },
        ]);
      }
      const engine = await requireLiveEngine(ctx.db);
      return dryRunFlow(spec, input.source, input.records, async (node, records) => {
        const config = functionConfigSchema.parse(node.config);
        const definition = builtinRegistry.get(node.type);
        const answer = (await postToEngine(
          engine,
          "/trigger",
          {
            runtime: config.runtime,
            ...(config.artifact !== undefined ? { artifact: config.artifact } : { code: config.code }),
            language: config.language,
            params: config.params,
            ports: definition ? portsOf(definition, node.outputs) : undefined,
            secrets: config.secrets,
            timeoutMs: config.timeoutMs,
            memoryLimitMb: config.memoryLimitMb,
            records,
          },
          ctx.engineTimeoutMs,
        )) as TriggerResult | null;
        if (typeof answer !== "object" || answer === null || typeof answer.ok !== "boolean") {
          throw new TRPCError({
            code: "BAD_GATEWAY",
            message: `engine ${engine.id} answered /trigger for node '${node.id}' without an 'ok' field`,
          });
        }
        return answer;
      });
    }),
});
