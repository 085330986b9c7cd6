# A seccomp filter the guest installs on itself before the function's code runs, on top of
# bubblewrap's namespaces. Filters can only be added, never loosened, so code that later reaches
# ctypes (an import built at run time) cannot take it back.
#
# What it refuses, with EPERM (a PermissionError in Python, a clear message in the record's error):
# - new processes: fork, vfork, execve, execveat, and clone without CLONE_THREAD. Threads stay
#   (asyncio's executor, pip packages that use threads); clone3 answers ENOSYS so the C library
#   falls back to clone, whose flags the filter can read. This is the process cap: a function runs
#   in its worker process and nowhere else.
# - reaching other processes or the kernel's larger surfaces: ptrace, process_vm_readv/writev,
#   mount, umount2, pivot_root, chroot, unshare, setns, bpf, perf_event_open, userfaultfd,
#   io_uring_*, keyctl, add_key, request_key, kexec_*, *_module, reboot, swapon/off, acct,
#   settimeofday/clock_settime/adjtimex, sethostname/setdomainname, open_by_handle_at,
#   name_to_handle_at, lookup_dcookie, quotactl, syslog, vhangup, iopl/ioperm, socket.
# A system call of another ABI (x32 on x86_64, or an architecture the filter was not built for)
# kills the process.
import ctypes
import platform

# Syscall numbers per architecture (Linux's unistd tables).
_X86_64 = {
    "socket": 41, "fork": 57, "vfork": 58, "execve": 59, "ptrace": 101, "syslog": 103,
    "vhangup": 153, "pivot_root": 155, "adjtimex": 159, "chroot": 161, "acct": 163,
    "settimeofday": 164, "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168,
    "reboot": 169, "sethostname": 170, "setdomainname": 171, "iopl": 172, "ioperm": 173,
    "init_module": 175, "delete_module": 176, "quotactl": 179, "lookup_dcookie": 212,
    "clock_settime": 227, "kexec_load": 246, "add_key": 248, "request_key": 249,
    "keyctl": 250, "unshare": 272, "process_vm_readv": 310, "process_vm_writev": 311,
    "setns": 308, "finit_module": 313, "name_to_handle_at": 303, "open_by_handle_at": 304,
    "bpf": 321, "execveat": 322, "userfaultfd": 323, "perf_event_open": 298,
    "kexec_file_load": 320, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427,
}
_X86_64_CLONE, _X86_64_CLONE3 = 56, 435

_AARCH64 = {
    "socket": 198, "execve": 221, "ptrace": 117, "syslog": 116, "vhangup": 58,
    "pivot_root": 41, "adjtimex": 171, "chroot": 51, "acct": 89, "settimeofday": 170,
    "mount": 40, "umount2": 39, "swapon": 224, "swapoff": 225, "reboot": 142,
    "sethostname": 161, "setdomainname": 162, "init_module": 105, "delete_module": 106,
    "quotactl": 60, "lookup_dcookie": 18, "clock_settime": 112, "kexec_load": 104,
    "add_key": 217, "request_key": 218, "keyctl": 219, "unshare": 97,
    "process_vm_readv": 270, "process_vm_writev": 271, "setns": 268, "finit_module": 273,
    "name_to_handle_at": 264, "open_by_handle_at": 265, "bpf": 280, "execveat": 281,
    "userfaultfd": 282, "perf_event_open": 241, "kexec_file_load": 294,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
}
_AARCH64_CLONE, _AARCH64_CLONE3 = 220, 435

_ARCHES = {
    # machine: (AUDIT_ARCH_*, refused calls, clone, clone3, lowest number of a foreign ABI)
    "x86_64": (0xC000003E, _X86_64, _X86_64_CLONE, _X86_64_CLONE3, 0x40000000),
    "aarch64": (0xC00000B7, _AARCH64, _AARCH64_CLONE, _AARCH64_CLONE3, None),
}

# Classic BPF, as the kernel's seccomp reads it.
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_EPERM, _ENOSYS = 1, 38
_CLONE_THREAD = 0x00010000
_OFFSET_NR, _OFFSET_ARCH, _OFFSET_ARG0_LOW = 0, 4, 16  # struct seccomp_data, little-endian
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2


def _program(arch, refused, clone, clone3, foreign):
    """Instructions as (code, jt, jf, k); jumps are relative to the next instruction."""
    deny = (_RET, 0, 0, _ERRNO | _EPERM)
    allow = (_RET, 0, 0, _ALLOW)
    head = [
        (_LD_W_ABS, 0, 0, _OFFSET_ARCH),
        (_JEQ, 1, 0, arch),
        (_RET, 0, 0, _KILL_PROCESS),
        (_LD_W_ABS, 0, 0, _OFFSET_NR),
    ]
    if foreign is not None:
        head += [(_JGE, 0, 1, foreign), (_RET, 0, 0, _KILL_PROCESS)]
    numbers = sorted(set(refused.values()))
    # One "equal? then jump to the deny at the end" per refused call.
    checks = []
    for index, number in enumerate(numbers):
        remaining = len(numbers) - index - 1
        # The deny is the last of the 7 instructions that follow the checks.
        checks.append((_JEQ, remaining + 6, 0, number))
    tail = [
        (_JEQ, 0, 2, clone),
        (_LD_W_ABS, 0, 0, _OFFSET_ARG0_LOW),
        (_JSET, 2, 3, _CLONE_THREAD),  # a thread: allow; a process: deny
        (_JEQ, 0, 1, clone3),
        (_RET, 0, 0, _ERRNO | _ENOSYS),
        allow,
        deny,
    ]
    return head + checks + tail


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def install():
    """Installs the filter on this process (and every thread it starts). Raises if it cannot."""
    machine = platform.machine()
    if machine not in _ARCHES:
        raise OSError(f"no seccomp filter for this architecture ({machine})")
    instructions = _program(*_ARCHES[machine])
    array = (_Filter * len(instructions))(*[_Filter(*i) for i in instructions])
    program = _Program(len(instructions), array)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")

