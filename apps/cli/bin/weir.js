#!/usr/bin/env node
// The `weir` command: loads the TypeScript sources through tsx (as the engine and scripts here run).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
