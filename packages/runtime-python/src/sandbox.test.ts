// What the python runtime promises beyond the shared suite: the worker process is the boundary,
// so its death, its files and its environment are tested here.
import { createMemoryHost } from "@weir/runtime-conformance";
import type { FunctionInstance, FunctionSpec, JsonValue, RecordOutcome } from "@weir/domain";
import { afterEach, describe, expect, it } from "vitest";
import { pythonRuntime } from "./index";

const open: FunctionInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((instance) => instance.close()));
});

function spec(code: string): FunctionSpec {
  return {
    nodeId: "py",
    code,
    language: "python",
    params: {},
    ports: ["out"],
    timeoutMs: 2_000,
    memoryLimitMb: 64,
  };
}

async function start(code: string): Promise<FunctionInstance> {
  const instance = await pythonRuntime.createInstance(spec(code), createMemoryHost());
  open.push(instance);
  return instance;
}

const rec = (value: JsonValue) => ({ key: "k", value, headers: {}, timestamp: 1 });
const values = (outcome: RecordOutcome | undefined): unknown[] => {
  if (!outcome?.ok) throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  return outcome.outputs.map((o) => o.record.value);
};

describe("the python sandbox", () => {
  it("fails only the record whose code ends the worker, and starts a new worker for the rest", async () => {
    const instance = await start(
      'import os\ndef handle(r, ctx):\n    if r["value"] == "exit":\n        os._exit(3)\n    return {"value": [r["value"], os.getpid()]}\n',
    );
    const [first, exited, after] = await instance.process([rec(1), rec("exit"), rec(2)]);
    expect(values(first)[0]).toEqual([1, expect.any(Number)]);
    expect(exited).toEqual({
      ok: false,
      error: { message: "the Python worker ended (exit code 3)", instanceReset: true },
    });
    expect(values(after)[0]).toEqual([2, expect.any(Number)]);
  });

  it("gives each instance its own empty, writable /tmp, and nothing of the host's", async () => {
    const write = await start(
      'import os\ndef handle(r, ctx):\n    before = os.listdir("/tmp")\n    open("/tmp/note", "w").write(r["value"])\n    return {"value": [before, open("/tmp/note").read()]}\n',
    );
    expect(values((await write.process([rec("mine")]))[0])).toEqual([[[], "mine"]]);
    const other = await start('import os\ndef handle(r, ctx):\n    return {"value": os.listdir("/tmp")}\n');
    expect(values((await other.process([rec(0)]))[0])).toEqual([[]]);
  });

  it("runs with a clean environment, no capabilities and a read-only /usr", async () => {
    const instance = await start(
      [
        "import os",
        "def handle(r, ctx):",
        "    try:",
        '        open("/usr/lib/weir-escape", "w")',
        "        usr = 'writable'",
        "    except OSError as error:",
        "        usr = error.strerror",
        '    caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]',
        '    return {"value": [sorted(os.environ), usr, caps, sorted(os.listdir("/"))]}',
      ].join("\n"),
    );
    const [outcome] = await instance.process([rec(0)]);
    expect(values(outcome)).toEqual([
      [
        // PWD is bubblewrap's (--chdir), LC_CTYPE CPython's own locale coercion; nothing of the host.
        ["HOME", "LC_CTYPE", "PATH", "PWD"],
        "Read-only file system",
        "0000000000000000",
        ["bin", "dev", "lib", "lib64", "proc", "tmp", "usr", "weir"],
      ],
    ]);
  });

  it("ends a worker whose function writes garbage onto the protocol pipe, and only that record fails", async () => {
    const instance = await start(
      [
        "import os",
        "def handle(r, ctx):",
        '    if r["value"] == "forge":',
        "        for fd in range(3, 10):",
        "            try:",
        '                os.write(fd, b"\\x00\\x00\\x00\\x05hello")',
        "            except OSError:",
        "                pass",
        '    return {"value": r["value"]}',
      ].join("\n"),
    );
    const [before, forged, after] = await instance.process([rec(1), rec("forge"), rec(2)]);
    expect(values(before)).toEqual([1]);
    expect(forged).toEqual({
      ok: false,
      error: {
        message: expect.stringMatching(/^the Python worker sent a malformed message: /) as unknown,
        instanceReset: true,
      },
    });
    expect(values(after)).toEqual([2]);
  });

  it("refuses code that does not compile, naming its line and column", async () => {
    await expect(start("def handle(r, ctx):\n    return r +\n")).rejects.toThrow(
      /^line 2, column \d+: invalid syntax/,
    );
  });

  it("refuses new processes but keeps threads, whatever module the function reaches them through", async () => {
    const instance = await start(
      [
        "import importlib, os, threading",
        "def attempt(action):",
        "    try:",
        "        action()",
        "        return 'allowed'",
        "    except OSError as error:",
        "        return error.strerror",
        "def spawn():",
        "    importlib.import_module('sub' + 'process').run(['/usr/bin/true'])",
        "def new_user_namespace():",
        "    c = importlib.import_module('c' + 'types')",
        "    libc = c.CDLL(None, use_errno=True)",
        "    if libc.unshare(0x10000000) != 0:",
        "        raise OSError(c.get_errno(), os.strerror(c.get_errno()))",
        "def thread():",
        "    seen = []",
        "    t = threading.Thread(target=lambda: seen.append(1))",
        "    t.start()",
        "    t.join()",
        "    assert seen == [1]",
        "def handle(r, ctx):",
        "    return {'value': [",
        "        attempt(os.fork),",
        "        attempt(lambda: os.execv('/usr/bin/true', ['true'])),",
        "        attempt(spawn),",
        "        attempt(new_user_namespace),",
        "        attempt(thread),",
        "    ]}",
      ].join("\n"),
    );
    const [outcome] = await instance.process([rec(0)]);
    const [fork, exec, subprocess, unshare, thread] = values(outcome)[0] as string[];
    // unshare(CLONE_NEWUSER) through ctypes: a nested user namespace would be allowed by the
    // namespaces alone; the filter refuses it.
    expect({ fork, exec, subprocess, unshare, thread }).toEqual({
      fork: "Operation not permitted",
      exec: "Operation not permitted",
      subprocess: "Operation not permitted",
      unshare: "Operation not permitted",
      thread: "allowed",
    });
  });

  it("installs a seccomp filter on the worker before the function's code runs", async () => {
    const instance = await start(
      'def handle(r, ctx):\n    return {"value": [l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0]}\n',
    );
    // 2 = SECCOMP_MODE_FILTER
    expect(values((await instance.process([rec(0)]))[0])).toEqual(["2"]);
  });
});
