export { vmRuntime as jsRuntime } from "./vm-runtime";
export { compile } from "./compile";
