"""Run a function in a child Python process with memory, CPU and wall-clock limits, so a crash there cannot
take kerasvg down.

    from kerasvg.readers.isolate import run_isolated, IsolationError
    data = run_isolated(read_attribute, path, memory_bytes=2 << 30, seconds=15, what=f"reading {path}")

`func` must be a module-level function; its arguments must be picklable and its result plain
data (bytes, str, numbers, None, lists, tuples, dicts, sets). An exception raised by `func` is
re-raised here when it is a built-in or kerasvg exception; a crash (a signal such as SIGSEGV),
running out of memory, out of CPU time or out of wall-clock time (`wall`, default `seconds` + 2: a child
blocked on I/O uses no CPU) becomes an IsolationError naming `what`. The child stops itself at its wall
limit (an alarm, whose default action ends the process even inside a C call) and, on Linux, dies with
the process that started it (PR_SET_PDEATHSIG), so a killed kerasvg leaves no reader behind.
The child is a fresh `python` (no fork of this process, no re-import of `__main__`), so it
costs one interpreter start-up plus `func`'s imports. `last_run` holds the child's own peak
memory (`peak_kib`, its own VmHWM) and wall time (`seconds`) of the latest call.
"""
from __future__ import annotations

import builtins
import io
import math
import os
import pickle
import subprocess
import sys
import time
from typing import Any, Callable, Dict, Optional

DEFAULT_MEMORY = 2 * 1024 ** 3
DEFAULT_SECONDS = 30

last_run: Dict[str, float] = {}

_BOOTSTRAP = """
import os, signal, sys
if sys.platform.startswith("linux"):
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG: die with the parent
    except (OSError, AttributeError):
        pass
if os.getppid() != int(sys.argv[1]):  # the parent died before that took effect
    os._exit(70)
import pickle, resource
memory, cpu, wall, path, payload = pickle.loads(sys.stdin.buffer.read())
if wall:
    signal.alarm(wall)  # SIGALRM's default action ends the process, even one blocked in a C call
if memory:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
if cpu:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
sys.path[:] = path
out = sys.stdout.buffer
sys.stdout = sys.stderr
try:
    func, args = pickle.loads(payload)
    outcome = ("ok", func(*args))
except MemoryError:
    outcome = ("memory", None)
except BaseException as exc:
    outcome = ("raised", exc)
try:  # this process's own high-water mark; ru_maxrss would include the parent's at fork time
    with open("/proc/self/status") as status:
        peak = int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except (OSError, StopIteration, ValueError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    data = pickle.dumps(outcome + (peak,))
except Exception:
    data = pickle.dumps(("failed", repr(outcome[1])[:500], peak))
out.write(data)
out.flush()
"""

_PLAIN = {"bytes", "bytearray", "str", "int", "float", "complex", "bool", "list", "tuple", "dict", "set",
          "frozenset"}


class IsolationError(RuntimeError):
    """The child crashed, ran out of memory or time, or answered with something unexpected."""


class _Unpickler(pickle.Unpickler):
    """Only plain data and built-in or kerasvg exceptions: the child read untrusted input."""

    def find_class(self, module, name):
        if module == "builtins":
            value = getattr(builtins, name, None)
            if name in _PLAIN or (isinstance(value, type) and issubclass(value, BaseException)):
                return value if value is not None else super().find_class(module, name)
        elif module == "copyreg" and name == "_reconstructor":
            return super().find_class(module, name)
        elif module.split(".")[0] == "kerasvg":
            value = super().find_class(module, name)
            if isinstance(value, type) and issubclass(value, BaseException):
                return value
        raise pickle.UnpicklingError(f"the child answered with a {module}.{name}")


def run_isolated(func: Callable[..., Any], *args, memory_bytes: Optional[int] = DEFAULT_MEMORY,
                 seconds: Optional[float] = DEFAULT_SECONDS, wall: Optional[float] = None,
                 what: str = "the child process") -> Any:
    """`func(*args)` in a child process limited to `memory_bytes` of address space, `seconds` of CPU time
    and `wall` seconds of wall-clock time (default `seconds` + 2; None for both: no time limits)."""
    import signal

    cpu = max(1, math.ceil(seconds)) if seconds else 0
    if wall is None and seconds:
        wall = seconds + 2
    alarm = max(1, math.ceil(wall)) if wall else 0
    request = pickle.dumps((memory_bytes or 0, cpu, alarm, list(sys.path), pickle.dumps((func, args))))
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-I", "-c", _BOOTSTRAP, str(os.getpid())], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        answer, errors = child.communicate(request, timeout=alarm + 3 if alarm else None)
        timed_out = False
    except subprocess.TimeoutExpired:  # the child's own alarm did not end it
        child.kill()
        answer, errors = child.communicate()
        timed_out = True
    last_run.clear()
    last_run["seconds"] = time.monotonic() - started
    code = child.returncode
    if timed_out or code == -signal.SIGALRM:
        raise IsolationError(f"{what} did not finish within {alarm:g} s; stopped")
    if code is not None and code < 0:
        number = -code
        if number == signal.SIGXCPU:
            raise IsolationError(f"{what} used more than {seconds:g} s of CPU time; stopped")
        name = signal.Signals(number).name if number in {s.value for s in signal.Signals} else f"signal {number}"
        raise IsolationError(f"{what} crashed ({name}); nothing from it was used")
    try:
        kind, value, last_run["peak_kib"] = _Unpickler(io.BytesIO(answer)).load()
    except pickle.UnpicklingError as exc:
        if code == 0:
            raise IsolationError(f"{what} answered with something other than plain data ({exc})") from None
        raise IsolationError(f"{what} failed without an answer (exit status {code})") from None
    except Exception:
        tail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {code}"]
        if "MemoryError" in tail[0]:
            raise IsolationError(f"{what} ran out of its {memory_bytes / 1024 ** 2:,.0f} MiB memory limit; stopped") from None
        raise IsolationError(f"{what} failed without an answer ({tail[0][:200]})") from None
    if kind == "ok":
        return value
    if kind == "raised":
        raise value
    if kind == "memory":
        raise IsolationError(f"{what} ran out of its {memory_bytes / 1024 ** 2:,.0f} MiB memory limit; stopped")
    raise IsolationError(f"{what} failed: {value}")
