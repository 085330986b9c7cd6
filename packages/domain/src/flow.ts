import { z } from "zod";
import { flowTestsSchema } from "./flow-tests";
import { jsonValueSchema } from "./json";
import { nodeSchemasSchema } from "./port-schema";

export const nodeKindSchema = z.enum(["source", "function", "sink"]);
export type NodeKind = z.infer<typeof nodeKindSchema>;

/** Ids are what edges refer to, so they are restricted to characters safe in URLs and topic names. */
export const idSchema = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, '_' and '-'");

export const portNameSchema = idSchema;

export const flowNodeSchema = z.object({
  id: idSchema,
  kind: nodeKindSchema,
  type: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  name: z.string().max(200).optional(),
  config: z.record(z.string(), jsonValueSchema).default({}),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  /** Named output ports. Omitted means the node type's default ports. */
  outputs: z.array(portNameSchema).optional(),
  /**
   * Instances of this node each engine runs; omitted means 1. On the Kafka transport, functions
   * and sinks run that many members of the node's consumer group. In memory, a function runs that
   * many instances (one sandbox each), each record sent to one by its key's hash: per-key order
   * holds, keyless records are spread unordered, and the instances share `ctx.state` (a state key
   * used by records of several keys can interleave, as on Kafka). Sources run once.
   */
  parallelism: z.number().int().min(1, "must be at least 1").max(64, "must be at most 64").optional(),
  /**
   * Types of the node's ports (port-schema.ts): what its input accepts, what each output port
   * sends. Optional; validateFlow refuses an edge whose sending port's type does not fit.
   */
  schemas: nodeSchemasSchema.optional(),
});
export type FlowNode = z.infer<typeof flowNodeSchema>;

export const flowEdgeSchema = z.object({
  id: idSchema,
  from: z.object({ node: idSchema, port: portNameSchema }),
  to: z.object({ node: idSchema }),
  /** Partitions of this edge's topic on the Kafka transport; omitted means the engine's default. */
  partitions: z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").optional(),
});
export type FlowEdge = z.infer<typeof flowEdgeSchema>;

/**
 * How records travel between the flow's nodes on the Kafka transport. "at-least-once" (the
 * default): a crash or rebalance may repeat a bounded number of records, never lose one.
 * "exactly-once": each node's outputs and its input offsets commit in one Kafka transaction, so
 * a crash neither loses nor repeats an output; needs the Kafka transport (an engine on the
 * in-process transport refuses it) and functions that do not write ctx.state.
 */
export const deliverySchema = z.enum(["at-least-once", "exactly-once"]);
export type Delivery = z.infer<typeof deliverySchema>;

/** The part of a flow that is versioned: everything a deployment needs to run. */
export const flowSpecSchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  description: z.string().max(10_000).default(""),
  nodes: z.array(flowNodeSchema).default([]),
  edges: z.array(flowEdgeSchema).default([]),
  /** Delivery guarantee between nodes (see deliverySchema); omitted means "at-least-once". */
  delivery: deliverySchema.optional(),
  /** Test cases (`weir test`, the editor's dry run); versioned with the flow, ignored by engines. */
  tests: flowTestsSchema.optional(),
});
export type FlowSpec = z.infer<typeof flowSpecSchema>;
export type FlowSpecInput = z.input<typeof flowSpecSchema>;

export interface Flow extends FlowSpec {
  id: string;
}
