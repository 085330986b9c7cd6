// The generated script, run by a real bash, completes commands, subcommands and options.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bashCompletion } from "./completion";
import { buildProgram } from "./main";

const script = bashCompletion(
  buildProgram({ out: () => undefined, err: () => undefined }, { configFile: "/nonexistent" }),
);

function complete(...words: string[]): string[] {
  const array = words.map((w) => `'${w}'`).join(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `${script}\nCOMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _weir; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: "utf8", timeout: 10_000 },
  );
  return out.split("\n").filter((line) => line !== "");
}

describe("bash completion", () => {
  it("completes top-level commands", () => {
    expect(complete("weir", "fl")).toEqual(["flows"]);
    expect(complete("weir", "d")).toEqual(["deploy", "dlq"]);
  });

  it("completes subcommands and their options", () => {
    expect(complete("weir", "flows", "ap")).toEqual(["apply"]);
    expect(complete("weir", "flows", "apply", "--f")).toEqual(["--file"]);
    expect(complete("weir", "--context", "x", "logs", "--fo")).toEqual(["--follow"]);
    expect(complete("weir", "--context", "flows", "logs", "myflow", "out", "--li")).toEqual(["--limit"]);
    expect(complete("weir", "flows", "export", "demo", "--f")).toEqual(["--format"]);
  });
});
