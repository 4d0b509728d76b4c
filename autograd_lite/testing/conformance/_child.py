"""The engine's side of the sandbox: a process that runs the engine and nothing else.

The kit (the parent, :mod:`.session`) never imports the engine. It starts this file as a
script (``python -E _child.py IN OUT``: no package import, so it starts in milliseconds),
sends it requests over a pipe and gets back *raw observations*: numbers, references to
engine objects, or the name and message of what the engine raised. Every verdict is made
in the parent from those numbers, so what the engine does in this process (patch builtins,
patch this file, write to any fd, fork, exit) can at most change the numbers the parent
sees: exactly what an engine computing other numbers would do.

Stdlib only. Requests and replies are frames: 4 bytes of length, then JSON.
"""

from __future__ import annotations

import ctypes
import json
import numbers
import operator
import os
import resource
import struct
import sys
from typing import Any, NoReturn

MAX_FRAME = 1 << 20
_BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
           "pow": operator.pow}


def describe(error: BaseException, limit: int = 200) -> tuple[str, str]:
    """(type name, one-line message), even if ``str()`` of the exception raises."""
    try:
        message = str(error)
    except BaseException:
        message = "<the exception's message could not be shown>"
    message = " ".join(str(message).split())[:limit]
    name = type(error).__name__
    return (name if isinstance(name, str) else "?"), message


class LoadError(Exception):
    """The engine could not be loaded; the message says why, in one line."""


class Server:
    """Runs requests on the engine; objects the parent holds are kept in ``self.objects``."""

    def __init__(self, read_fd: int, write_fd: int, engine: Any = None) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd
        self.engine = engine
        self.objects: dict[int, Any] = {}
        self.next_ref = 1
        self.kept: list[Any] = []

    def encode(self, thing: Any) -> Any:
        if type(thing) in (float, int):  # exact types only: a subclass may lie in __float__
            return {"num": float(thing) if type(thing) is float else thing}
        ref = self.next_ref
        self.next_ref += 1
        self.objects[ref] = thing
        try:
            kind = type(thing).__name__
        except BaseException:
            kind = "?"
        return {"ref": ref, "type": kind if isinstance(kind, str) else "?"}

    def decode(self, arg: Any) -> Any:
        return self.objects[arg["ref"]] if "ref" in arg else arg["num"]

    def handle(self, request: dict[str, Any]) -> Any:
        op = request["op"]
        for ref in request.get("free", ()):
            self.objects.pop(ref, None)
        if op == "load":
            return self.load(request)
        args = [self.decode(a) for a in request.get("args", ())]
        if op == "new":
            return self.encode(self.engine(*args))
        if op == "getattr":
            return self.encode(getattr(args[0], request["name"]))
        if op == "call":
            return self.encode(args[0](*args[1:]))
        if op == "neg":
            return self.encode(-args[0])
        if op in _BINARY:
            return self.encode(_BINARY[op](args[0], args[1]))
        if op == "float":
            return {"num": to_number(args[0])}
        if op == "chain":
            return chain(self.engine, request["depth"], request["lifted"], self.kept)
        raise ValueError(f"unknown request {op!r}")

    def load(self, request: dict[str, Any]) -> Any:
        sys.path[:] = request["path"]
        module_name, attribute, root = request["module"], request["attr"], request.get("root")
        if root is not None:
            sys.meta_path.insert(0, SubmissionFinder(module_name.split(".")[0], root))
        confine(request["cpu_seconds"])
        import importlib

        try:
            module = importlib.import_module(module_name)
        except BaseException as error:
            name, message = describe(error)
            raise LoadError(f"importing {module_name} raised {name}{': ' + message if message else ''}; "
                            f"fix the module, then run again") from None
        if root is not None:
            found = os.path.realpath(getattr(module, "__file__", None) or "")
            if found != request["file"]:
                raise LoadError(f"{module_name} was loaded from {found}, not from {request['file']}")
        engine: Any = module
        for depth, part in enumerate(attribute.split(".")):
            try:
                engine = getattr(engine, part)
            except BaseException as error:
                where = ".".join([module_name, *attribute.split(".")[:depth]])
                if not isinstance(error, AttributeError):
                    name, message = describe(error)
                    raise LoadError(f"looking up {part!r} in {where} raised {name}: {message}") from None
                classes = sorted(n for n, v in vars(module).items() if isinstance(v, type) and not n.startswith("_"))
                hint = f"; its classes: {', '.join(classes)}" if depth == 0 and classes else ""
                raise LoadError(f"{where} has no attribute {part!r}{hint}") from None
        if not isinstance(engine, type):
            raise LoadError(f"{module_name}:{attribute} is a {type(engine).__name__}, not a class: name the engine's "
                            f"Value class (e.g. my_engine:Value)")
        self.engine = engine
        return {"name": engine.__name__}

    def serve(self) -> NoReturn:
        while True:
            request = read_frame(self.read_fd)
            try:
                reply = {"id": request["id"], "ok": self.handle(request)}
            except BaseException as error:  # everything the engine raises, SystemExit included
                name, message = describe(error)
                reply = {"id": request["id"], "raised": [name, message]}
            write_frame(self.write_fd, reply)


class SubmissionFinder:
    """Imports ``top`` (and its submodules) from the submission's folder only, namespace
    folders included: without this a folder ``micrograd/`` with no ``__init__.py`` loses to
    an installed ``micrograd`` package."""

    def __init__(self, top: str, root: str) -> None:
        self.top, self.root = top, root

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        from importlib.machinery import PathFinder

        if name == self.top:
            return PathFinder.find_spec(name, [self.root])
        return None  # submodules: the package's own __path__, which lies in the folder


def to_number(thing: Any) -> float:
    """The float of a real number; a str, bytes or bool is not one (``"0.5"`` must fail)."""
    if isinstance(thing, (str, bytes, bool)) or not isinstance(thing, numbers.Real):
        kind = type(thing).__name__
        raise TypeError(f"is a {kind if isinstance(kind, str) else '?'}, not a number")
    value = float(thing)
    if type(value) is not float:
        raise TypeError("float() of it did not give a float")
    return value


def chain(V: Any, depth: int, lifted: bool, kept: list[Any]) -> dict[str, Any]:
    """``x0 + 1 + 1 + ...`` (``depth`` ops), differentiated: ``{"num": x0.grad}``, or where
    it raised. The graph is kept: freeing 100,000 nested nodes is not the engine's test."""
    step = "y + Value(1.0)" if lifted else "y + 1.0"
    where = "Value(0.5)"
    try:
        x = V(0.5)
        kept.append(x)
        y = x
        for k in range(depth):
            where = f"{step} (op {k + 1} of the chain)"
            y = y + V(1.0) if lifted else y + 1.0
        kept.append(y)
        where = "y.backward()"
        y.backward()
        where = "x0.grad"
        return {"num": to_number(x.grad)}
    except BaseException as error:
        kept.append(error)
        name, message = describe(error)
        return {"where": where, "raised": [name, message]}


def read_exactly(fd: int, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = os.read(fd, size - len(chunks))
        if not chunk:
            os._exit(0)  # the parent has gone
        chunks += chunk
    return chunks


def read_frame(fd: int) -> Any:
    (size,) = struct.unpack(">I", read_exactly(fd, 4))
    return json.loads(read_exactly(fd, size))


def write_frame(fd: int, message: Any) -> None:
    data = json.dumps(message).encode()
    if len(data) > MAX_FRAME:
        data = json.dumps({"id": message["id"], "raised": ["ValueError", "the reply is too large"]}).encode()
    data = struct.pack(">I", len(data)) + data
    while data:
        data = data[os.write(fd, data):]


def confine(cpu_seconds: float) -> None:
    """Resource limits, then no new processes, threads or programs (seccomp, where the
    platform has it): set just before the engine's code first runs."""
    limits = [(resource.RLIMIT_CPU, int(cpu_seconds) + 1), (resource.RLIMIT_AS, 2 << 30),
              (resource.RLIMIT_NOFILE, 128), (resource.RLIMIT_CORE, 0)]
    if hasattr(resource, "RLIMIT_NPROC") and os.geteuid() != 0:
        limits.append((resource.RLIMIT_NPROC, 0))  # root ignores it; seccomp below covers root
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            pass
    no_new_processes()


# seccomp: x86-64 clone, fork, vfork, execve, execveat, clone3 fail with EPERM (and every
# x32 call), everything else is allowed. Where prctl or seccomp is missing, nothing happens.
_X86_64 = 0xC000003E
_DENIED = (56, 57, 58, 59, 322, 435)


def no_new_processes() -> bool:
    """True if the filter is in place."""
    if sys.platform != "linux" or os.uname().machine != "x86_64":
        return False

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ERRNO | EPERM
    n = len(_DENIED)
    code = [(load, 0, 0, 4), (jeq, 1, 0, _X86_64), (ret, 0, 0, allow), (load, 0, 0, 0),
            (jge, n + 1, 0, 0x40000000)]
    code += [(jeq, n - i, 0, nr) for i, nr in enumerate(_DENIED)]
    code += [(ret, 0, 0, allow), (ret, 0, 0, deny)]
    filters = (Filter * len(code))(*[Filter(*c) for c in code])
    program = Program(len(code), filters)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL: a kit that dies takes the engine along
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return bool(libc.prctl(22, 2, ctypes.byref(program), 0, 0) == 0)  # PR_SET_SECCOMP, FILTER
    except (OSError, AttributeError):
        return False


def main(argv: list[str]) -> NoReturn:
    read_fd, write_fd = int(argv[0]), int(argv[1])
    sys.path[:] = [p for p in sys.path[1:]]  # not this folder: the kit's modules are no engine's
    try:
        Server(read_fd, write_fd).serve()
    finally:
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
