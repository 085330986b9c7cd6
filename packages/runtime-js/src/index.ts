export { jsRuntime } from "./runtime";
