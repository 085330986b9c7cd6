import { builtinRegistry } from "@weir/connectors/definitions";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const nodeTypesRouter = createTRPCRouter({
  /** Every node type with the JSON Schema of its config (what a form may submit: io "input"). */
  list: publicProcedure.query(() =>
    builtinRegistry.list().map((definition) => ({
      type: definition.type,
      kind: definition.kind,
      name: definition.name,
      description: definition.description,
      icon: definition.icon,
      version: definition.version,
      ports: definition.ports,
      configJsonSchema: z.toJSONSchema(definition.configSchema, { io: "input" }),
    })),
  ),
});
