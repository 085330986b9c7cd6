import { builtinRegistry } from "@weir/connectors/definitions";
import { z } from "zod";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { cursors, pageInput } from "../pagination";

export const nodeTypesRouter = createTRPCRouter({
  /** Every node type with the JSON Schema of its config (what a form may submit: io "input"). */
  list: viewerProcedure.input(pageInput(cursors.name)).query(({ input }) => {
    // The registry's order (the editor's palette) unless paged; pages go by type name.
    const paged = input.limit !== undefined || input.cursor !== undefined;
    const all = paged
      ? [...builtinRegistry.list()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
      : builtinRegistry.list();
    const after = input.cursor;
    const page = all.filter((d) => after === undefined || d.type > after).slice(0, input.limit);
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
