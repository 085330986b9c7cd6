export { pythonRuntime } from "./runtime";
export { checkPython } from "./check";
