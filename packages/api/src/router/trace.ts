import { errorMessage } from "@weir/domain";
import { z } from "zod";
import { postToEngine } from "../engine-client";
import { requireFlow } from "../lookups";
import { engineTraceAnswerSchema, mergeTrace } from "../trace-merge";
import type { TraceSpan } from "../trace-merge";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { liveEngines } from "./peek";

/** A trace call waits this long for an engine before showing what the others hold. */
const TRACE_ENGINE_TIMEOUT_MS = 3_000;

export interface TraceView {
  traceId: string;
  /** Every span the live engines still hold, oldest first (empty: not traced, or gone from memory). */
  spans: TraceSpan[];
  /** Engines that answered. */
  engines: number;
  /** Engines that did not answer, with why. */
  unreachable: string[];
}

export const traceRouter = createTRPCRouter({
  /**
   * A record's trace (its `traceparent`'s trace id, as log records and dead letters carry it):
   * the spans every live engine keeps of it in memory (the last 2,000 traces each), merged, so
   * the editor shows the record's path through the flow and each node's time without a
   * collector. A trace may reach into other flows (a Kafka topic between them): those spans
   * come too, each naming its flow.
   */
  get: viewerProcedure
    .input(
      z.object({
        flowId: z.uuid(),
        traceId: z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lower-case hex digits (a W3C trace id)"),
      }),
    )
    .query(async ({ ctx, input }): Promise<TraceView> => {
      await requireFlow(ctx.db, input.flowId);
      const engines = await liveEngines(ctx.db);
      const results = await Promise.allSettled(
        engines.map(async (engine) =>
          engineTraceAnswerSchema.parse(
            await postToEngine(engine, "/trace", { traceId: input.traceId }, TRACE_ENGINE_TIMEOUT_MS),
          ),
        ),
      );
      const answers = [];
      const unreachable: string[] = [];
      for (const result of results) {
        if (result.status === "fulfilled") answers.push(result.value.spans);
        else unreachable.push(errorMessage(result.reason));
      }
      return { traceId: input.traceId, spans: mergeTrace(answers), engines: answers.length, unreachable };
    }),
});
