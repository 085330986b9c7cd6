// What a node starts with when it is dropped on the canvas.
import type { FlowNode } from "@weir/domain";
import type { NodeTypeInfo } from "./graph";

/**
 * A typed handler, so `record.` and `ctx.` complete from the first keystroke; `Input` is the
 * node's input schema as a type (any JSON until one is set in Settings), so `record.value.` does.
 */
export const STARTER_CODE = `import type { Handler } from "@weir/function";

const handle: Handler<Input> = async (record, ctx) => {
  ctx.log.info("got", record.value);
  return { value: record.value };
};

export default handle;
`;

export function starterConfig(info: NodeTypeInfo): FlowNode["config"] {
  return info.kind === "function" && info.type === "function" ? { code: STARTER_CODE } : {};
}
