import { spawn } from "node:child_process";
import type { CodeProblem } from "@weir/domain";
import { userError } from "@weir/domain";
import { CHECKER_SOURCE } from "./check-source";
import { pythonBinary } from "./python-binary";

/** Longest a check may take; CPython parses the largest code a flow may hold in milliseconds. */
const CHECK_TIMEOUT_MS = 10_000;

/** Thrown when this machine has no Python to check with (the API's web process may have none). */
export class NoPythonError extends Error {
  constructor(binary: string) {
    super(`no Python interpreter at ${binary}`);
    this.name = "NoPythonError";
  }
}

/**
 * Checks Python code without running it (check-source.ts: CPython's own parser, the refused
 * imports, a handler): problems with 1-based line and column. Parsing runs nothing of the code,
 * so this needs no sandbox.
 */
export function checkPython(code: string): Promise<CodeProblem[]> {
  const binary = pythonBinary();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["-I", "-B", "-c", CHECKER_SOURCE], { stdio: ["pipe", "pipe", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), CHECK_TIMEOUT_MS);
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.stdin.on("error", () => {}); // the close handler reports a checker that died early
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ENOENT" ? new NoPythonError(binary) : error);
    });
    child.on("close", (exit, signal) => {
      clearTimeout(timer);
      if (exit !== 0) {
        const how = signal ? `signal ${signal}` : `exit code ${String(exit)}`;
        reject(new Error(`the Python checker failed (${how}): ${err.slice(-500)}`));
        return;
      }
      resolve(JSON.parse(out) as CodeProblem[]);
    });
    child.stdin.end(code);
  });
}

/** checkPython, for a runtime about to run the code: rejects naming the first problem. */
export async function checkForRun(code: string): Promise<void> {
  const problems = await checkPython(code);
  const first = problems[0];
  if (first) {
    throw userError("FUNCTION_ERROR", `line ${first.line}, column ${first.column}: ${first.message}`, {
      problems,
    });
  }
}
