import { builtinRegistry } from "@weir/connectors/definitions";
import { z } from "zod";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { InputError } from "../errors";
import { decodeCursor, nameKey, pageInput } from "../pagination";

export const nodeTypesRouter = createTRPCRouter({
  /** Every node type with the JSON Schema of its config (what a form may submit: io "input"). */
  list: viewerProcedure.input(pageInput).query(({ input }) => {
    const all = builtinRegistry.list();
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, nameKey)[0];
    const start = after === undefined ? 0 : all.findIndex((d) => d.type === after) + 1;
    if (start === 0 && after !== undefined) {
      throw new InputError([{ path: ["cursor"], message: `no node type '${after}'`, code: "invalid_shape" }]);
    }
    const page = all.slice(start, input.limit === undefined ? undefined : start + input.limit);
    return page.map((definition) => ({
      type: definition.type,
      kind: definition.kind,
      name: definition.name,
      description: definition.description,
      icon: definition.icon,
      version: definition.version,
      ports: definition.ports,
      configJsonSchema: z.toJSONSchema(definition.configSchema, { io: "input" }),
    }));
  }),
});
