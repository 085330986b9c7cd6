export { pythonRuntime } from "./runtime";
export { checkPython } from "./check";
export { packagesFor, packagesRoot } from "./packages";
