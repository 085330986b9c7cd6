// `weir test FILE` without --node: runs the file's `tests:` cases through the API's dry run
// (POST /api/v1/dry-runs: functions in a live engine, sinks only capturing, nothing saved or
// deployed), prints PASS/FAIL per case with a diff of expected (-) and actual (+), and fails the
// command (exit 1) when a case failed.
import type { Client } from "./client";
import { CliError, EXIT } from "./errors";
import type { LoadedFlow } from "./flow-file";
import { compareCase } from "@weir/domain";
import type { DryRunAnswer } from "@weir/domain";
import type { Io } from "./main";
import { json } from "./output";

export async function runFlowTests(c: Client, flow: LoadedFlow, io: Io, asJson: boolean): Promise<void> {
  if (flow.tests.length === 0)
    throw new CliError(EXIT.usage, `${flow.file}: no tests: cases (or give --node N --records R)`);
  const outcomes: { name: string; passed: boolean; diff: string[] }[] = [];
  for (const test of flow.tests) {
    const answers: DryRunAnswer[] = [];
    for (const [source, records] of Object.entries(test.input)) {
      answers.push(await c.request<DryRunAnswer>("POST", "/dry-runs", { spec: flow.spec, source, records }));
    }
    const diff = compareCase(test, answers);
    outcomes.push({ name: test.name, passed: diff.length === 0, diff });
    if (asJson) continue;
    io.out(`${diff.length === 0 ? "PASS" : "FAIL"} ${test.name}\n`);
    for (const line of diff) io.out(`  ${line}\n`);
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  if (asJson) io.out(json(outcomes));
  else io.out(`${outcomes.length - failed} passed, ${failed} failed\n`);
  if (failed > 0) throw new CliError(EXIT.refused, `${failed} of ${outcomes.length} test(s) failed`);
}
