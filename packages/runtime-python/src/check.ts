import { spawn } from "node:child_process";
import type { CodeProblem } from "@weir/domain";
import { userError } from "@weir/domain";
import { hostGuestDir, pythonBinary } from "./sandbox";

/**
 * Checks Python code without running it (guest/check.py: CPython's own parser, the refused
 * imports, a handler): problems with 1-based line and column. Parsing runs nothing of the code.
 */
export function checkPython(code: string): Promise<CodeProblem[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(pythonBinary(), ["-I", "-B", `${hostGuestDir()}/check.py`], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`the Python checker failed (exit code ${String(code)}): ${err.slice(-500)}`));
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
