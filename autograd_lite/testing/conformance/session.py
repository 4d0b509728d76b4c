"""The kit's side of the sandbox: the engine in a child process, seen through proxies.

A :class:`Session` starts the engine's process (:mod:`._child`) in its own process group
with its output sent to /dev/null, and talks to it over two pipes. ``session.V`` stands in
for the engine's class: ``V(0.5)``, ``a + b``, ``a.tanh()``, ``a.data`` run in the child and
give back numbers (plain floats) or :class:`Remote` references, so the properties and the
detection code run unchanged, in this process, on observations only.

Every request has a time limit (per call, and what is left of the whole check's budget),
enforced here: past it the process group is killed, whatever the engine was doing (a bare
``except:`` loop, a long C call, an ignored SIGALRM). The limits count CPU seconds, read
from /proc: a call's limit the engine's CPU time during it, the budget the engine's and the
kit's own thread's, so a machine shared with other work gives the same verdicts. A
wall-clock limit ``WALL_SLACK`` times as long stops an engine that sleeps (and is the only
limit where /proc is missing). A process that dies or breaks the channel is restarted for
the next request; the request that saw it fails.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import time
from typing import Any

from . import _child
from .remote import Remote, RemoteClass, remote_class
from .sandbox import WALL_SLACK, BudgetSpent, EngineGone, Raised, RaisedAttributeError, TimeUp

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}\Z")
MAX_STARTS = 400  # an engine that dies on every call still ends: the time budget bounds it too
_NUMBER_THREADS = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
_TICKS = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0
POLL = 0.1  # how often a long call's CPU time is read (s)


def plain_name(name: object, default: str) -> str:
    """``name`` if it is a plain identifier, else ``default``: engine text never reaches code."""
    return name if isinstance(name, str) and _IDENTIFIER.match(name) else default


class Target:
    """What to load in the child: ``module:attr`` from ``root`` (the submission's folder;
    ``file`` is what it resolved to), or by name on ``path``, or an in-memory ``cls`` (forked)."""

    def __init__(self, module: str = "", attr: str = "", path: list[str] | None = None, root: str | None = None,
                 file: str | None = None, cls: type | None = None, cwd: str | None = None) -> None:
        self.module, self.attr, self.root, self.file, self.cls = module, attr, root, file, cls
        self.path = path if path is not None else [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
        self.cwd = cwd or root or os.getcwd()


class Session:
    """One engine process at a time (restarted after a death or a timeout)."""

    def __init__(self, target: Target, call_limit: float, total_limit: float) -> None:
        self.target = target
        self.call_limit, self.total_limit = call_limit, total_limit
        self.started = time.monotonic()
        self.kit_cpu_start = time.thread_time()  # this thread's: other checks may run beside it
        self.ended_cpu = 0.0  # the CPU seconds of engine processes that have ended
        self.stat = -1  # /proc/<pid>/stat of the engine's process, kept open
        self.generation = 0
        self.starts = 0
        self.pid: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.to_child = self.from_child = -1
        self.next_id = 0
        self.freed: list[int] = []
        self.class_name = "Value"
        self.V = RemoteClass(self)

    # -- the child process ------------------------------------------------------------
    def start(self) -> None:
        if self.starts >= MAX_STARTS:
            raise EngineGone(f"the engine's process was started {MAX_STARTS} times and ended each time")
        self.starts += 1
        self.generation += 1
        child_in, to_child = os.pipe()
        from_child, child_out = os.pipe()
        if self.target.cls is not None:
            self.pid = _fork(child_in, child_out, (to_child, from_child), self.target.cls)
        else:
            env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", **_NUMBER_THREADS)
            self.process = subprocess.Popen(
                [sys.executable, "-E", _child.__file__, str(child_in), str(child_out)], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(child_in, child_out),
                start_new_session=True, cwd=self.target.cwd, env=env)
            self.pid = self.process.pid
        os.close(child_in)
        os.close(child_out)
        try:
            self.stat = os.open(f"/proc/{self.pid}/stat", os.O_RDONLY)
        except OSError:  # no /proc: wall-clock limits only
            self.stat = -1
        self.to_child, self.from_child = to_child, from_child
        self.freed.clear()
        if self.target.cls is None:
            t = self.target
            reply = self._exchange({"op": "load", "module": t.module, "attr": t.attr, "path": t.path, "root": t.root,
                                    "file": t.file, "cpu_seconds": self.total_limit + 5}, "loading the engine")
            self.class_name = plain_name(reply.get("name"), "Value")

    def stop(self) -> None:
        """Kill the whole process group (the engine's forks and threads with it)."""
        for fd in (self.to_child, self.from_child):
            if fd >= 0:
                os.close(fd)
        self.to_child = self.from_child = -1
        if self.stat >= 0:
            self.ended_cpu += self.engine_cpu() or 0.0
            os.close(self.stat)
            self.stat = -1
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
            if self.process is not None:
                self.process.wait()
            else:
                try:
                    os.waitpid(self.pid, 0)
                except ChildProcessError:
                    pass
        self.pid, self.process = None, None

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def engine_cpu(self) -> float | None:
        """The CPU seconds the engine's current process has used; None without /proc."""
        if self.stat < 0:
            return None
        try:
            data = os.pread(self.stat, 1024, 0)
            fields = data[data.rindex(b")") + 2:].split()
            return (int(fields[11]) + int(fields[12])) / _TICKS  # utime and stime
        except (OSError, ValueError, IndexError):
            return None

    def spent(self) -> float:
        """The check's CPU seconds so far: the kit's thread and every engine process."""
        return time.thread_time() - self.kit_cpu_start + self.ended_cpu + (self.engine_cpu() or 0.0)

    @property
    def expired(self) -> bool:
        wall = time.monotonic() - self.started
        # the kit waits while the engine works, so CPU seconds cannot pass the wall time
        return wall >= self.total_limit * WALL_SLACK or (wall >= self.total_limit and self.spent() >= self.total_limit)

    # -- requests -----------------------------------------------------------------------
    def request(self, message: dict[str, Any], what: str, limit: float | None = None,
                generation: int | None = None) -> Any:
        """Send a request and decode the reply (a float or a Remote); raise what it raised."""
        if self.expired:
            raise BudgetSpent(self.total_limit)
        if generation is not None and generation != self.generation:
            raise EngineGone("the engine's process had ended since this value was made")
        if self.pid is None:
            self.start()
            if generation is not None:
                raise EngineGone("the engine's process had ended since this value was made")
        reply = self._exchange(dict(message, free=self.freed[:]), what, limit)
        self.freed.clear()
        return self.decode(reply)

    def _exchange(self, message: dict[str, Any], what: str, limit: float | None = None) -> Any:
        self.next_id += 1
        message["id"] = self.next_id
        watch = _Watch(self, limit or self.call_limit)
        try:
            data = json.dumps(message).encode()
            os.write(self.to_child, struct.pack(">I", len(data)) + data)
            reply = self._read(watch)
        except BrokenPipeError:
            reply = None
        except BaseException:  # a timeout, Ctrl-C, the caller's alarm: the child's state is unknown
            self.stop()
            raise
        if reply is None:
            code = self._exit_status()
            self.stop()
            raise EngineGone(f"the engine's process ended during {what} ({code})")
        if not isinstance(reply, dict) or reply.get("id") != message["id"] or not ({"ok", "raised"} & reply.keys()):
            self.stop()
            raise EngineGone(f"the engine's process broke the kit's channel during {what}")
        if "raised" in reply:
            name, text = _pair(reply["raised"])
            raise (RaisedAttributeError if name == "AttributeError" else Raised)(name, text)
        return reply["ok"]

    def _read(self, watch: _Watch) -> Any:
        head = self._read_exactly(4, watch)
        if head is None:
            return None
        (size,) = struct.unpack(">I", head)
        if size > _child.MAX_FRAME:
            return {}
        body = self._read_exactly(size, watch)
        if body is None:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return {}

    def _read_exactly(self, size: int, watch: _Watch) -> bytes | None:
        data = b""
        while len(data) < size:
            if not select.select([self.from_child], [], [], watch.wait())[0]:
                continue
            chunk = os.read(self.from_child, size - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _exit_status(self) -> str:
        pid = self.pid
        status: int | None = None
        for _ in range(50):  # the pipe closes a moment before the process is gone
            try:
                done, raw = os.waitpid(pid, os.WNOHANG) if pid is not None else (0, 0)
            except ChildProcessError:
                break
            if done:
                status = os.waitstatus_to_exitcode(raw)
                if self.process is not None:
                    self.process.returncode = status
                break
            time.sleep(0.01)
        if status is None:
            return "it closed the channel"
        if status < 0:
            try:
                return f"killed by {signal.Signals(-status).name}"
            except ValueError:
                return f"killed by signal {-status}"
        return f"exit code {status}"

    def decode(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise EngineGone("the engine's process broke the kit's channel")
        if "num" in value:
            number = value["num"]
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise EngineGone("the engine's process broke the kit's channel")
            return number
        if "ref" in value and isinstance(value["ref"], int):
            return remote_class(plain_name(value.get("type"), "object"))(self, value["ref"], self.generation)
        if "raised" in value:  # the deep chain says where
            name, text = _pair(value["raised"])
            raise Raised(name, text, str(value.get("where", "")))
        raise EngineGone("the engine's process broke the kit's channel")

    def encode(self, thing: Any) -> dict[str, Any]:
        if isinstance(thing, Remote):
            if thing._session is not self or thing._generation != self.generation:
                raise EngineGone("the engine's process had ended since this value was made")
            return {"ref": thing._ref}
        if isinstance(thing, (int, float)) and not isinstance(thing, bool):
            return {"num": thing}
        raise TypeError(f"cannot send a {type(thing).__name__} to the engine")

    def operation(self, op: str, args: tuple[Any, ...], what: str, **extra: Any) -> Any:
        encoded = [self.encode(a) for a in args]
        generations = {a._generation for a in args if isinstance(a, Remote)}
        generation = generations.pop() if len(generations) == 1 else (0 if generations else None)
        return self.request(dict(extra, op=op, args=encoded), what, generation=generation)

    def chain(self, depth: int, lifted: bool, limit: float) -> Any:
        """x0.grad through ``x0 + 1 + 1 ...``; a Raised (with ``where``) if the engine raised."""
        if self.expired:
            raise BudgetSpent(self.total_limit)
        if self.pid is None:
            self.start()
        return self.decode(self._exchange({"op": "chain", "depth": depth, "lifted": lifted, "free": []},
                                          "the deep chain", limit))


class _Watch:
    """One request's clock: ``wait()`` is how long to wait for the reply before looking at
    the time again, and raises TimeUp (the call's limit) or BudgetSpent (the check's)."""

    def __init__(self, session: Session, limit: float) -> None:
        self.session, self.limit = session, limit
        self.started = time.monotonic()
        self.cpu_start = session.engine_cpu()

    def wait(self) -> float:
        s = self.session
        now = time.monotonic()
        wall = now - self.started
        check_wall = now - s.started
        if wall >= self.limit * WALL_SLACK or (wall >= self.limit and self._cpu(wall) >= self.limit):
            raise BudgetSpent(s.total_limit) if s.expired else TimeUp()
        if check_wall >= s.total_limit and s.expired:
            raise BudgetSpent(s.total_limit)
        # until the wall clock reaches a limit, no CPU limit can have been reached either;
        # past it, the CPU time is read every POLL seconds
        return min(t if t > 0 else POLL for t in (self.limit - wall, s.total_limit - check_wall))

    def _cpu(self, wall: float) -> float:
        now = self.session.engine_cpu()
        if now is None or self.cpu_start is None:
            return wall
        return now - self.cpu_start


def _pair(raised: Any) -> tuple[str, str]:
    name, text = (raised + ["", ""])[:2] if isinstance(raised, list) else ("", "")
    text = " ".join(str(text).split())[:600]
    return plain_name(name, "an exception with an unprintable class name"), text


def _fork(child_in: int, child_out: int, parent_ends: tuple[int, int], cls: type) -> int:
    """The engine's process for a class only this process has (defined in a function)."""
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns into the caller's code
        os.setsid()
        for fd in parent_ends:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        sys.setrecursionlimit(1000)
        _child.confine(600)
        _child.Server(child_in, child_out, cls).serve()
    finally:
        os._exit(0)
