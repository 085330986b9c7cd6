import { describe, expect, it } from "vitest";
import { SqlSyntaxError, endsStatement, parseSql, statementArgs } from "./sql";

describe("parseSql", () => {
  it("reads every statement, keywords in any case, names bare or quoted, comments skipped", () => {
    const script = `-- a script
create flow with ('path'='flows/demo.yaml');
SHOW Flows;
Start FLOW demo; stop flow "my flow";
DROP FLOW 'it''s';
;`;
    expect(parseSql(script)).toEqual([
      { kind: "create", path: "flows/demo.yaml", line: 2 },
      { kind: "show", line: 3 },
      { kind: "start", flow: "demo", line: 4 },
      { kind: "stop", flow: "my flow", line: 4 },
      { kind: "drop", flow: "it's", line: 5 },
    ]);
  });

  it("maps each statement to the weir command it stands for", () => {
    const args = parseSql(
      "CREATE FLOW WITH ('path' = 'a.yaml'); SHOW FLOWS; START FLOW x; STOP FLOW x; DROP FLOW x;",
    ).map(statementArgs);
    expect(args).toEqual([
      ["flows", "apply", "-f", "a.yaml"],
      ["flows", "list"],
      ["deploy", "x"],
      ["stop", "x"],
      ["flows", "delete", "x"],
    ]);
  });

  const refusals: [string, string][] = [
    [
      "SHOW FLOWS;\nSELECT * FROM t;",
      'line 2, column 1: expected CREATE FLOW, SHOW FLOWS, START FLOW, STOP FLOW or DROP FLOW, found "SELECT"',
    ],
    [
      "START FLOW demo",
      "line 1, column 16: expected ; at the end of the statement, found the end of the input",
    ],
    ["START FUNCTION demo;", 'line 1, column 7: expected FLOW, found "FUNCTION"'],
    [
      "CREATE FLOW WITH ('file'='a.yaml');",
      "line 1, column 19: unknown option 'file' (the only option is 'path')",
    ],
    ["CREATE FLOW WITH ('path'=a.yaml);", 'line 1, column 26: expected a quoted value, found "a.yaml"'],
    ["DROP FLOW 'demo;", "line 1, column 11: unterminated string (opened with ')"],
    ["STOP FLOW ;", 'line 1, column 11: expected a flow name or id, found ";"'],
    ["SHOW FLOWS; SHOW FLOWS *;", 'line 1, column 24: expected ; at the end of the statement, found "*"'],
  ];
  it.each(refusals)("refuses %j with its position", (script, message) => {
    expect(() => parseSql(script)).toThrow(SqlSyntaxError);
    expect(() => parseSql(script)).toThrow(message);
  });
});

describe("endsStatement", () => {
  it("is true only when a ; ends the text outside strings and comments", () => {
    expect(endsStatement("SHOW FLOWS;\n")).toBe(true);
    expect(endsStatement("SHOW FLOWS")).toBe(false);
    expect(endsStatement("DROP FLOW 'a;")).toBe(false);
    expect(endsStatement("SHOW FLOWS -- ;")).toBe(false);
    expect(endsStatement("SHOW FLOWS; -- done\n")).toBe(true);
  });
});
