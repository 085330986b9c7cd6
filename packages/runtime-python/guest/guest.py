# The function contract inside a `python` runtime worker: one CPython process per function
# instance, started by the host (src/worker.ts) inside a bubblewrap sandbox. It speaks
# length-prefixed JSON frames (4-byte big-endian length, UTF-8 JSON) on the pipes it was started
# with; fd 0 and fd 1 are moved away first, so print() and os.write(1, ...) cannot corrupt them.
#
# Host -> guest:  {"op": "load", "code", "ports", "params", "secrets", "memoryLimitMb"}
#                 {"op": "init" | "batch" | "single", "records": [...], "cpuSeconds"}
#                 (a record whose value is bytes has "bytes": "<base64>" instead of "value";
#                 the function sees `bytes`, and an output whose value is bytes-like, or a
#                 ctx.write(bytes), goes back the same way)
#                 {"state": <JSON text or null>}   (the answer to a state read)
# Guest -> host:  {"load": LoadResult} | {"get": key} | {"result": CallResult}
#
# CallResult is function-contract's (src/call-result.ts): outcomes in input order, failures with a
# "stack" ("<function>:<line>") the host turns into a line, state writes and metrics of the
# successful records only, logs (bounded), and fatal "memory" when the address-space limit was hit.

import asyncio
import binascii
import inspect
import json
import math
import os
import resource
import struct
import sys
import traceback

# The function shares this interpreter and may replace builtins or module attributes
# (builtins.len = None, json.dumps = ...). The guest therefore binds what it uses here, before
# user code runs: builtins as its own globals, json as its own encoder and decoder objects.
_builtins = __import__("builtins")
globals().update({k: v for k, v in vars(_builtins).items() if not k.startswith("_")})
_ModuleType = type(sys)
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def _not_json(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# The C encoder itself, made once: JSONEncoder.encode would build one per call, which costs as
# much as encoding a small record. Without a circular-reference check (a cycle ends in a
# RecursionError, reported like any value that is not JSON).
_C_ENCODER = json.encoder.c_make_encoder(
    None, _not_json, json.encoder.encode_basestring, None, ":", ",", False, False, False
)
_join = "".join


def _encode_value(value):
    return _join(_C_ENCODER(value, 0))
_ENCODE_LOG = json.JSONEncoder(separators=(",", ":"), default=repr).encode
_DECODE = json.JSONDecoder().decode
_b64encode = binascii.b2a_base64
_b64decode = binascii.a2b_base64
_BYTES_TYPES = (bytes, bytearray, memoryview)
_isfinite = math.isfinite
_pack = struct.pack
_unpack = struct.unpack
_isawaitable = inspect.isawaitable
_isasyncgen = inspect.isasyncgen
_walk_tb = traceback.walk_tb
_format_exc = traceback.format_exc
_write = os.write
_getrusage = resource.getrusage
_setrlimit = resource.setrlimit
_getrlimit = resource.getrlimit
_exit = os._exit


def _load_seccomp():
    """guest/seccomp.py, loaded by path: -I keeps this script's directory off sys.path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_weir_seccomp", os.path.join(os.path.dirname(__file__), "seccomp.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.install


_install_seccomp = _load_seccomp()

FILENAME = "<function>"
MAX_MESSAGE = 8192
MAX_LOG_LINES = 10000
MAX_LOG_BYTES = 4 * 1024 * 1024

# The protocol's pipes, moved off fd 0 and 1 before user code runs.
_proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
_proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 0)
os.dup2(2, 1)
_read_exact = _proto_in.read


def read_frame():
    header = _read_all(4)
    (length,) = _unpack(">I", header)
    return _DECODE(_read_all(length).decode("utf-8"))


def _read_all(n):
    chunks = []
    while n > 0:
        chunk = _read_exact(n)
        if not chunk:
            _exit(0)  # the host closed the pipe: the instance is closed
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def write_frame(message):
    data = _ENCODE(message).encode("utf-8")
    _proto_out.write(_pack(">I", len(data)) + data)


def clip(text, limit):
    return text if len(text) <= limit else text[:limit] + "…"


class ReadOnlyDict(dict):
    """A dict the function can read but not change (ctx.params, ctx.secrets, ctx.record)."""

    __slots__ = ("_what",)

    def _refuse(self, *_args, **_kwargs):
        raise TypeError(f"{self._what} is read-only")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _refuse


def read_only(value, what):
    if isinstance(value, dict):
        frozen = ReadOnlyDict({k: read_only(v, what) for k, v in value.items()})
        frozen._what = what
        return frozen
    if isinstance(value, list):
        return tuple(read_only(v, what) for v in value)
    return value


class RecordError(Exception):
    pass


def bytes_text(value):
    """A bytes-like value as the protocol's JSON field: base64 text."""
    return '"' + _b64encode(value, newline=False).decode("ascii") + '"'


def with_bytes(records):
    """The host's records with their "bytes" (base64) as a `bytes` value."""
    for record in records:
        if "bytes" in record:
            record["value"] = _b64decode(record.pop("bytes"))
    return records


def check_record(value, what):
    """
    A record the function returned, emitted or yielded, as the JSON text the host gets (encoded
    once, here: that is also the check that its value is JSON). Fields it leaves out are left
    out of the text too: the host fills them from the input record (src/instance.ts).
    """
    if value.__class__ is not dict and not isinstance(value, dict) or "value" not in value:
        raise RecordError(f"{what} is not a record: expected a dict with a 'value' field")
    if isinstance(value["value"], _BYTES_TYPES):
        try:
            text = '{"bytes":' + bytes_text(value["value"])
        except (TypeError, ValueError) as error:
            raise RecordError(f"{what} is not a valid record: its bytes cannot be read ({error})") from None
    else:
        try:
            text = '{"value":' + _encode_value(value["value"])
        except (TypeError, ValueError, RecursionError) as error:
            raise RecordError(f"{what} is not a valid record: its value is not JSON ({error})") from None
    if "key" in value:
        key = value["key"]
        if key is not None and not isinstance(key, str):
            raise RecordError(f"{what} is not a valid record: its key is neither a str nor None")
        text += ',"key":' + _encode_value(key)
    if "headers" in value:
        headers = value["headers"]
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise RecordError(f"{what} is not a valid record: its headers are not a dict of str to str")
        text += ',"headers":' + _encode_value(headers)
    if "timestamp" in value:
        timestamp = value["timestamp"]
        if (
            isinstance(timestamp, bool)
            or not isinstance(timestamp, (int, float))
            or not _isfinite(timestamp)
            or timestamp < 0
        ):
            raise RecordError(f"{what} is not a valid record: its timestamp is not a non-negative number")
        text += ',"timestamp":' + _encode_value(timestamp)
    return text + "}"


class Call:
    """What one host call collects: logs, and per record outputs, writes and metrics."""

    def __init__(self):
        self.logs = []
        self.log_bytes = 0
        self.dropped = 0
        self.outcomes = []
        self.failures = []
        self.writes = []
        self.counters = {}
        self.histograms = []
        self.committed = {}  # state written by earlier successful records of this call
        self.record_state = None


CALL = Call()


def add_log(level, message):
    call = CALL
    message = clip(message, MAX_MESSAGE)
    if len(call.logs) >= MAX_LOG_LINES or call.log_bytes + len(message) > MAX_LOG_BYTES:
        call.dropped += 1
        return
    call.log_bytes += len(message)
    if CURRENT.record is not None and not CURRENT.in_init:
        # With the index of the record that wrote it (the host keeps that record's trace with the line).
        call.logs.append([level, message, len(call.outcomes)])
    else:
        call.logs.append([level, message])


def format_args(args):
    parts = []
    for arg in args:
        if isinstance(arg, str):
            parts.append(arg)
        elif isinstance(arg, BaseException):
            parts.append(f"{type(arg).__name__}: {arg}")
        else:
            try:
                parts.append(_ENCODE_LOG(arg))
            except Exception:
                parts.append(repr(arg))
    return " ".join(parts)


class LogStream:
    """sys.stdout / sys.stderr for the function: each line becomes a log line."""

    def __init__(self, level):
        self.level = level
        self.pending = ""

    def write(self, text):
        self.pending += str(text)
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            add_log(self.level, line)
        return len(text)

    def flush(self):
        if self.pending:
            add_log(self.level, self.pending)
            self.pending = ""

    def isatty(self):
        return False


class Log:
    __slots__ = ()

    def debug(self, *args):
        add_log("debug", format_args(args))

    def info(self, *args):
        add_log("info", format_args(args))

    def warn(self, *args):
        add_log("warn", format_args(args))

    warning = warn

    def error(self, *args):
        add_log("error", format_args(args))


class RecordState:
    """One record's pending writes over the call's committed ones and the host's store."""

    def __init__(self):
        self.pending = {}  # key -> JSON text, or None for a delete
        self.order = []


MISSING = object()


class State:
    __slots__ = ()

    def get(self, key):
        key = str(key)
        text = MISSING
        pending = CALL.record_state.pending if CALL.record_state else {}
        if key in pending:
            text = pending[key]
        elif key in CALL.committed:
            text = CALL.committed[key]
        else:
            write_frame({"get": key})
            text = read_frame()["state"]
        return None if text is None else _DECODE(text)

    def set(self, key, value):
        try:
            text = _ENCODE(value)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"ctx.state.set('{key}'): the value is not JSON ({error}); use ctx.state.delete to remove a key"
            ) from None
        if value is None:
            raise TypeError(
                f"ctx.state.set('{key}'): the value is not JSON (None); use ctx.state.delete to remove a key"
            )
        self._write(str(key), text)

    put = set

    def delete(self, key):
        self._write(str(key), None)

    def _write(self, key, text):
        if CURRENT.record is None:
            raise RuntimeError("ctx.state can only be written while a record is processed")
        record_state = CALL.record_state
        if record_state is None:
            record_state = CALL.record_state = RecordState()
        if key not in record_state.pending:
            record_state.order.append(key)
        record_state.pending[key] = text


class Metrics:
    __slots__ = ()

    def counter(self, name, increment=1):
        self._check(name, increment)
        CURRENT.metrics.append([str(name), 1, increment])

    def histogram(self, name, value):
        self._check(name, value)
        CURRENT.metrics.append([str(name), 0, value])

    def _check(self, name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _isfinite(value):
            raise TypeError(f"metric '{name}': {value!r} is not a finite number")


class Current:
    """The record being processed: its input, emitted outputs (JSON text) and metrics."""

    def __init__(self):
        self.record = None
        self.outputs = []
        self.metrics = []
        self.in_init = False


CURRENT = Current()
STDOUT = LogStream("info")
STDERR = LogStream("error")


class Context:
    __slots__ = ()
    log = Log()
    state = State()
    metrics = Metrics()

    def emit(self, port, record):
        if port not in PORTS:
            raise ValueError(f"ctx.emit: unknown port '{port}' (this node has {', '.join(PORTS)})")
        if CURRENT.record is None:
            raise RuntimeError("ctx.emit can only be called while a record is processed")
        CURRENT.outputs.append(OUTPUT_PREFIX[port] + check_record(record, "the emitted record") + "}")

    def write(self, data):
        """One output chunk of bytes on the default port, after what this record has output so far."""
        if CURRENT.in_init:
            raise RuntimeError("ctx.write is not available in init: there is no record yet")
        if CURRENT.record is None:
            raise RuntimeError("ctx.write can only be called while a record is processed")
        if not isinstance(data, _BYTES_TYPES):
            raise TypeError("ctx.write: expected a Uint8Array (bytes)")
        CURRENT.outputs.append(OUTPUT_PREFIX[PORTS[0]] + '{"bytes":' + bytes_text(data) + "}}")

    @property
    def record(self):
        record = CURRENT.record
        if record is None:
            return None
        return read_only(
            {"key": record["key"], "headers": record["headers"], "timestamp": record["timestamp"]}, "ctx.record"
        )

    @property
    def params(self):
        return PARAMS

    @property
    def secrets(self):
        return SECRETS

    def __setattr__(self, name, _value):
        raise AttributeError(f"ctx is read-only: cannot assign '{name}'")

    def __delattr__(self, name):
        raise AttributeError(f"ctx is read-only: cannot delete '{name}'")


PORTS = ()
OUTPUT_PREFIX = {}
PARAMS = read_only({}, "ctx.params")
SECRETS = read_only({}, "ctx.secrets")
CTX = Context()
LOOP = asyncio.new_event_loop()
asyncio.set_event_loop(LOOP)


class OutOfMemory(Exception):
    pass


def user_line(tb):
    line = None
    for frame, lineno in _walk_tb(tb):
        if frame.f_code.co_filename == FILENAME:
            line = lineno
    return line


def describe_thrown(error):
    """[message, stack] of what the function raised; the stack names the user's line."""
    if isinstance(error, MemoryError):
        raise OutOfMemory() from None
    name = type(error).__name__
    text = str(error)
    if isinstance(error, RecursionError):
        text += " (the call stack is exhausted)"
    if not isinstance(error, Exception):
        message = f"threw a non-Error value: {name}: {text}"
    elif type(error) is Exception or isinstance(error, RecordError):
        message = text
    else:
        message = f"{name}: {text}"
    line = user_line(error.__traceback__)
    if line is None and isinstance(error, SyntaxError) and error.filename == FILENAME:
        line = error.lineno
    return clip(message, MAX_MESSAGE), None if line is None else f"{FILENAME}:{line}"


def run(value):
    """Awaits what an async function returned (on the instance's one event loop)."""
    if value is None or value.__class__ is dict or value.__class__ is list:
        return value
    if _isawaitable(value):
        return LOOP.run_until_complete(_await(value))
    return value


async def _await(awaitable):
    return await awaitable


def begin_record(record):
    CURRENT.record = record
    CURRENT.outputs = []
    CURRENT.metrics = []
    CALL.record_state = None


def succeed_record(returned):
    outputs = CURRENT.outputs
    if returned is not None:
        items = returned if isinstance(returned, list) else [returned]
        for item in items:
            outputs.append(OUTPUT_PREFIX[PORTS[0]] + check_record(item, "the returned record") + "}")
    finish_ok(outputs)


def finish_ok(outputs):
    index = len(CALL.outcomes)
    CALL.outcomes.append('{"ok":true,"outputs":[' + ",".join(outputs) + "]}")
    record_state = CALL.record_state
    if record_state and record_state.order:
        writes = []
        for key in record_state.order:
            text = record_state.pending[key]
            CALL.committed[key] = text
            key_text = _ENCODE(key)
            writes.append(f'{{"key":{key_text},"delete":true}}' if text is None else f'{{"key":{key_text},"value":{text}}}')
        CALL.writes.append(f"[{index},[{','.join(writes)}]]")
    for name, is_counter, value in CURRENT.metrics:
        if is_counter:
            CALL.counters[name] = CALL.counters.get(name, 0) + value
        else:
            CALL.histograms.append([name, value])
    end_record()


def fail_record(error):
    message, stack = describe_thrown(error)
    index = len(CALL.outcomes)
    CALL.outcomes.append(_ENCODE({"ok": False, "error": {"message": message}}))
    CALL.failures.append([index, stack])
    end_record()


def end_record():
    CURRENT.record = None
    CALL.record_state = None


def send_result(fatal=None):
    global CALL
    STDOUT.flush()
    STDERR.flush()
    call = CALL
    if call.dropped:
        call.logs.append(["warn", f"{call.dropped} log lines of this call were dropped (limit reached)"])
    rest = {"failures": call.failures, "logs": call.logs, "counters": call.counters, "histograms": call.histograms}
    if fatal:
        rest["fatal"] = fatal
    CALL = Call()
    # Outcomes and writes are JSON text already (check_record): the result is put together as text.
    text = (
        '{"result":{"outcomes":['
        + ",".join(call.outcomes)
        + '],"writes":['
        + ",".join(call.writes)
        + "],"
        + _ENCODE(rest)[1:]
        + "}"
    )
    data = text.encode("utf-8")
    _proto_out.write(_pack(">I", len(data)) + data)


def limit_cpu(seconds):
    """A backstop under the host's wall-clock limit: SIGXCPU ends a worker past its CPU budget."""
    used = _getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _, hard = _getrlimit(resource.RLIMIT_CPU)
    soft = int(spent + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    _setrlimit(resource.RLIMIT_CPU, (soft, hard))


def limit_memory(megabytes):
    """Caps the address space at what the interpreter uses now plus the function's limit."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                base = int(line.split()[1]) * 1024
                break
    limit = base + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def load(message):
    global PORTS, PARAMS, SECRETS, OUTPUT_PREFIX
    PORTS = tuple(message["ports"])
    OUTPUT_PREFIX = {port: '{"port":' + _ENCODE(port) + ',"record":' for port in PORTS}
    PARAMS = read_only(message["params"], "ctx.params")
    SECRETS = read_only(message["secrets"], "ctx.secrets")
    sys.stdout = STDOUT
    sys.stderr = STDERR
    sys.path[:0] = message.get("paths", [])
    # No new processes and no kernel surfaces a function has no use for, from here on.
    _install_seccomp()
    limit_cpu(message["cpuSeconds"])
    limit_memory(message["memoryLimitMb"])
    # The function gets its own copy of builtins (also what `import builtins` gives it), so that
    # replacing one changes its code only, not json's, asyncio's or the guest's.
    own_builtins = _ModuleType("builtins")
    vars(own_builtins).update(vars(_builtins))
    sys.modules["builtins"] = own_builtins
    namespace = {"__name__": "__function__", "__builtins__": own_builtins}
    try:
        exec(compile(message["code"], FILENAME, "exec"), namespace)
    except OutOfMemory:
        raise
    except BaseException as error:  # noqa: BLE001 - the function's own failure, reported
        text, stack = describe_thrown(error)
        return {"ok": False, "message": text, "stack": stack}, None
    handle = namespace.get("handle")
    stream = namespace.get("stream")
    init = namespace.get("init")
    if callable(handle):
        mode = "handler"
    elif callable(stream):
        mode = "stream"
    else:
        return {
            "ok": False,
            "message": "define handle(record, ctx) or stream(records, ctx) (Python's counterpart of export default)",
            "stack": f"{FILENAME}:1",
        }, None
    return {"ok": True, "mode": mode, "init": callable(init)}, namespace


def run_init(namespace):
    begin_record({"key": None, "headers": {}, "timestamp": 0})
    CURRENT.in_init = True
    try:
        run(namespace["init"](CTX))
        finish_ok([])
    except OutOfMemory:
        raise
    except BaseException as error:  # noqa: BLE001
        fail_record(error)
    finally:
        CURRENT.in_init = False


def run_handler(handle, records):
    for record in records:
        begin_record(record)
        try:
            succeed_record(run(handle(record, CTX)))
        except OutOfMemory:
            raise
        except BaseException as error:  # noqa: BLE001
            fail_record(error)


class Feed:
    """
    The records a stream function iterates, across calls: when a call's records are used up it
    answers the call and waits for the next one, so one generator lives across batches. What the
    generator yields goes to the record it read last.
    """

    def __init__(self, records):
        self.pending = list(records)
        self.open = False  # a record has been handed out and not finished

    def __iter__(self):
        return self

    def __aiter__(self):
        return self

    async def __anext__(self):
        return self.__next__()

    def __next__(self):
        if self.open:
            finish_ok(CURRENT.outputs)
            self.open = False
        if not self.pending:
            send_result()
            self.pending = list(next_call_records())
        record = self.pending.pop(0)
        begin_record(record)
        self.open = True
        return dict(record)


def drive_stream(stream, feed):
    """Runs stream generators forever: one fails its record and is replaced for the next."""
    while True:
        fresh = True
        try:
            generator = stream(feed, CTX)
            if _isasyncgen(generator):
                while True:
                    try:
                        item = LOOP.run_until_complete(generator.__anext__())
                    except StopAsyncIteration:
                        break
                    fresh = False
                    stream_output(item)
            else:
                for item in generator:
                    fresh = False
                    stream_output(item)
        except OutOfMemory:
            raise
        except BaseException as error:  # noqa: BLE001
            if not feed.open:
                # It failed before reading a record: the next record is the one it fails.
                next(feed)
            feed.open = False
            fail_record(error)
            continue
        # The generator ended: the record it read last is done; a generator that ends without
        # reading anything leaves the next record without outputs.
        if feed.open:
            feed.open = False
            finish_ok(CURRENT.outputs)
        elif fresh:
            next(feed)
            feed.open = False
            finish_ok([])


def stream_output(item):
    if not feed_is_open():
        raise RuntimeError("the stream yielded before reading a record")
    if item is not None:
        CURRENT.outputs.append(OUTPUT_PREFIX[PORTS[0]] + check_record(item, "the yielded record") + "}")


FEED = None


def feed_is_open():
    return FEED is not None and FEED.open


def next_call_records():
    message = read_frame()
    limit_cpu(message["cpuSeconds"])
    return with_bytes(message["records"])


def main():
    global FEED
    write_frame({"ready": True})
    message = read_frame()
    try:
        result, namespace = load(message)
    except (OutOfMemory, MemoryError):
        write_frame({"load": {"ok": False, "message": "out of memory while loading the module", "stack": None}})
        return
    write_frame({"load": result})
    if namespace is None:
        return
    try:
        while True:
            message = read_frame()
            limit_cpu(message["cpuSeconds"])
            if message["op"] == "init":
                run_init(namespace)
                send_result()
            elif callable(namespace.get("handle")):
                run_handler(namespace["handle"], with_bytes(message["records"]))
                send_result()
            else:
                FEED = Feed(with_bytes(message["records"]))
                drive_stream(namespace["stream"], FEED)
    except (OutOfMemory, MemoryError):
        CALL.outcomes = []
        send_result("memory")
        # The heap is not to be trusted after this: the host ends the worker.
        read_frame()


try:
    main()
except BaseException:  # noqa: BLE001 - the guest itself broke: say why on the real stderr
    _write(2, _format_exc().encode("utf-8", "replace")[-4000:])
    _exit(1)
