// The Python checker, run as `python3 -I -B -c CHECKER_SOURCE` with the code on stdin (check.ts).
// Kept as a string, not a file beside the package, so that it travels inside any bundle that
// imports it (the API's save check runs inside Next.js's server build).
export const CHECKER_SOURCE = String.raw`# Checks a Python function without running it: reads the source on stdin, prints a JSON list of
# problems ({message, line, column}, 1-based). Parsing executes nothing, so this runs unsandboxed.
#
# Imports are allowed (the standard library; the sandbox, not the language, contains the code),
# except of modules whose only use is to reach past the sandbox: processes, sockets, native code.
# A literal import of one is refused here with its line and column; one built at run time meets
# the sandbox (no network, read-only filesystem, its own process namespace).

import ast
import json
import sys

REFUSED = {
    "subprocess": "processes",
    "multiprocessing": "processes",
    "pty": "processes",
    "socket": "the network",
    "ssl": "the network",
    "http": "the network",
    "urllib": "the network",
    "ftplib": "the network",
    "smtplib": "the network",
    "ctypes": "native code",
    "cffi": "native code",
}

HANDLERS = ("handle", "stream")


def refused(name, line, column):
    root = name.split(".")[0]
    reach = REFUSED.get(root)
    if reach is None:
        return None
    return {
        "message": f"'{name}': imports are not available in functions for modules that reach {reach}",
        "line": line,
        "column": column,
    }


def check(source):
    try:
        tree = ast.parse(source, "<function>")
    except SyntaxError as error:
        return [
            {
                "message": error.msg or "invalid syntax",
                "line": error.lineno or 1,
                "column": max(error.offset or 1, 1),
            }
        ]
    problems = []
    for node in ast.walk(tree):
        found = None
        if isinstance(node, ast.Import):
            for alias in node.names:
                found = found or refused(alias.name, node.lineno, node.col_offset + 1)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found = refused(node.module, node.lineno, node.col_offset + 1)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            found = refused(node.args[0].value, node.lineno, node.col_offset + 1)
        if found:
            problems.append(found)
    problems.sort(key=lambda p: (p["line"], p["column"]))
    defined = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
    if not any(name in defined for name in HANDLERS):
        problems.append(
            {
                "message": "define handle(record, ctx) or stream(records, ctx) (Python's counterpart of export default)",
                "line": 1,
                "column": 1,
            }
        )
    return problems


print(json.dumps(check(sys.stdin.read())))
`;
