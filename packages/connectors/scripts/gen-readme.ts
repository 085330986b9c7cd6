// Rewrites the option tables in ../README.md from the config schemas (see readme-tables.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderReadme } from "./readme-tables";

const path = fileURLToPath(new URL("../README.md", import.meta.url));
const before = readFileSync(path, "utf8");
const after = renderReadme(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? "README.md is up to date" : "README.md: option tables regenerated");
