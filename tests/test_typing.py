"""The typed API: both packages pass ``mypy --strict``, ship ``py.typed``, and a user's script
sees precise types (a Value from arithmetic on Values, a float from ``.grad``) that are
also what the code returns at run time.

A user's script is type-checked as a user would (``mypy --strict``, the package found on the
path as an installed one, through its ``py.typed``), then run, so every revealed type is
checked against the object the call really returns.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                                reason="mypy is not installed; it comes with the test extra: pip install -e '.[test]'")

PREAMBLE = """\
import math

from hypothesis import find
from hypothesis.strategies import SearchStrategy
from typing_extensions import reveal_type

import nn as top_level_nn
import autograd_lite as ag
from autograd_lite import Value, nn
from autograd_lite import math as agm
from autograd_lite.testing import Expression, gradcheck
from autograd_lite.testing.strategies import expressions, values


def wave(v: Value) -> Value:
    return agm.sin(v)


hypot = ag.op("hypot", forward=math.hypot, local=lambda x, y, out: (x / out, y / out))
model = nn.MLP(2, [3, 1], seed=0)
ex = Expression([0.5, 2.0], [("*", (0, 1)), ("tanh", (2,))])
x = {x}
results: list[object] = []
"""
VALUE_FROM_NN = "model.parameters()[0]"
VALUE_FROM_VALUE = "Value(3.0)"

# (expression, the type mypy reveals, the type it has at run time; None stands for Value)
TYPES_NOW = [
    ("ag.grad(wave)(3.0)", "float", float),
    ("ag.grad(wave)(x)", "autograd_lite.value.Value", None),
    ("ag.value_and_grad(wave)(3.0)", "tuple[float, float]", tuple),
    ("agm.exp(1.0)", "float", float),
    ("agm.exp(x)", "autograd_lite.value.Value", None),
    ("agm.elu(-1.0)", "float", float),
    ("x.grad", "float", float),
    ("nn.Neuron(2, seed=0)([1.0, 2.0])", "autograd_lite.value.Value", None),
    ("nn.Layer(2, 3, seed=0)([1.0, 2.0])", "list[autograd_lite.value.Value]", list),
    ("model([1.0, 2.0])", "Any", None),  # one output: a Value; a checker cannot tell from nouts
    ("model.parameters()", "list[autograd_lite.value.Value]", list),
    ("model.state_dict()", "dict[str, float]", dict),
    ("nn.mse_loss(x, 1.0)", "autograd_lite.value.Value", None),
    ("nn.cross_entropy([x, x], 0)", "autograd_lite.value.Value", None),
    ("nn.accuracy(model, [[1.0, 2.0]], [1])", "float", float),
    ("nn.SGD(model.parameters(), lr=0.1).current_lr()", "float", float),
    ("nn.datasets.moons(10)", "tuple[list[list[float]], list[int]]", tuple),
    ("top_level_nn.Neuron(2, seed=0)([1.0, 2.0])", "autograd_lite.value.Value", None),  # the alias, typed too
]

TYPES_FROM_VALUE = [
    ("Value(1.0) * 2 + 1", "autograd_lite.value.Value", None),
    ("2 * x", "autograd_lite.value.Value", None),
    ("1 - x", "autograd_lite.value.Value", None),
    ("1 / x", "autograd_lite.value.Value", None),
    ("x ** 2", "autograd_lite.value.Value", None),
    ("2 ** x", "autograd_lite.value.Value", None),
    ("-x", "autograd_lite.value.Value", None),
    ("abs(x)", "autograd_lite.value.Value", None),
    ("x.tanh().exp()", "autograd_lite.value.Value", None),
    ("ag.exp(x)", "autograd_lite.value.Value", None),
    ("ag.sum([x, 2.0])", "autograd_lite.value.Value", None),
    ("x.data", "float", float),
    ("x.item()", "float", float),
    ("x < 1", "bool", bool),
    ("x.detach()", "autograd_lite.value.Value", None),
    ("x.abs()", "autograd_lite.value.Value", None),
    ("x.clamp(0.0, 1.0)", "autograd_lite.value.Value", None),
    ("ag.maximum(x, 2)", "autograd_lite.value.Value", None),
    ("ag.softmax([x, 1.0])", "list[autograd_lite.value.Value]", list),
    ("hypot(x, 4.0)", "autograd_lite.value.Value", None),  # a custom op
    ("ag.extend.builtin('leaky_relu', 0.2)(x)", "autograd_lite.value.Value", None),
    ("x.op", "str", str),
    ("x.parents", "tuple[autograd_lite.value.Value, ...]", tuple),
]

# compile's public API (batch needs NumPy, to_torch PyTorch: both come with the test extra).
# A string names a class made at run time: to_torch's module class exists once torch is imported.
F64_ARRAY = "numpy.ndarray[tuple[Any, ...], numpy.dtype[numpy.float64]]"
TYPES_FROM_COMPILE = [
    ("ag.compile(wave)", "autograd_lite.compiler.Compiled", "Compiled"),
    ("ag.compile(wave)(3.0)", "tuple[float, tuple[Any, ...]]", tuple),
    ("ag.compile(wave)(3.0)[0]", "float", float),
    ("ag.compile(wave)(x)[0]", "float", float),
    ("ag.compile(wave).traces", "int", int),
    ("ag.compile(wave).batch([1.0, 2.0])[0]", "float", float),
    ("ag.compile(wave).batch([1.0, 2.0], reduce='sum')[0]", "float", float),
    ("ag.compile(wave).batch([1.0, 2.0], reduce=None)[0]", F64_ARRAY, "ndarray"),
    ("ag.compile(wave).batch([1.0, 2.0], reduce=None)[1][0]", F64_ARRAY, "ndarray"),
    ("ag.compile(wave).to_torch(1.0)", "autograd_lite.compiler.torch_module.CompiledModule", "CompiledModule"),
    ("ag.compile(wave).to_torch(1.0)(2.0)", "torch._tensor.Tensor", "Tensor"),
    ("ag.compile(wave).to_torch(1.0).forward(2.0)", "torch._tensor.Tensor", "Tensor"),
    ("ag.compile(wave).to_torch(1.0).copy_params_to_values()", "None", "NoneType"),
]
STRATEGY = "hypothesis.strategies._internal.strategies.SearchStrategy"
TYPES_FROM_TESTING = [  # SearchStrategy stands for any strategy (its class at run time is hypothesis' own)
    ("expressions(max_size=2)", f"{STRATEGY}[autograd_lite.testing.expression.Expression]", "SearchStrategy"),
    ("values()", f"{STRATEGY}[autograd_lite.value.Value]", "SearchStrategy"),
    ("find(expressions(max_size=2), lambda drawn: True)", "autograd_lite.testing.expression.Expression",
     "Expression"),
    ("find(values(), lambda drawn: True)", "autograd_lite.value.Value", None),
    ("ex(*ex.inputs)", "autograd_lite.value.Value", None),
    ("ex(x, 2.0)", "autograd_lite.value.Value", None),
    ("ex.evaluate()", "float", float),
    ("ex.inputs", "list[float]", list),
    ("ex.has_fan_out()", "bool", bool),
    ("gradcheck(ex, ex.inputs)", "autograd_lite.testing.gradcheck.GradcheckReport", "GradcheckReport"),
]



def _runtime_type_name(expected):
    from autograd_lite import Value

    if isinstance(expected, str):
        return expected
    return (Value if expected is None else expected).__name__


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    """One cache for this file's mypy runs (the packages are analysed once, not per test),
    kept out of the repository."""
    return tmp_path_factory.mktemp("mypy_cache")


def run_mypy(cache, *args):
    """mypy on the packages, with the project's configuration (as .ci/run runs it)."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(cache), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)


def run_mypy_as_a_user(cache, script):
    """mypy --strict on a user's script in its own folder, with autograd_lite importable
    from the path like an installed package (so its own errors are not the user's, and
    its annotations count only because it ships py.typed)."""
    env = {key: value for key, value in os.environ.items() if key != "MYPYPATH"} | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10",
                           "--cache-dir", str(cache), str(script)],
                          cwd=script.parent, env=env, capture_output=True, text=True, timeout=280)


def check_script(tmp_path, cache, cases, x):
    """Type-check and run a script that reveals each case's type; return
    ``(revealed types, run-time type names, mypy's output)``."""
    preamble = PREAMBLE.format(x=x)
    lines = [preamble]
    first = preamble.count("\n") + 1
    for expression, _, _ in cases:
        lines.append(f"results.append(reveal_type({expression}))\n")
    lines.append("print(' '.join('SearchStrategy' if isinstance(r, SearchStrategy) else type(r).__name__ "
                 "for r in results))\n")
    script = tmp_path / "user_script.py"
    script.write_text("".join(lines))

    checked = run_mypy_as_a_user(cache, script)
    revealed = {}
    for line in checked.stdout.splitlines():
        found = re.match(rf"{re.escape(script.name)}:(\d+): note: Revealed type is \"(.*)\"$", line)
        if found:
            revealed[int(found[1]) - first] = found[2]
    ran = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert ran.returncode == 0, ran.stderr
    return [revealed.get(i) for i in range(len(cases))], ran.stdout.split(), checked


def assert_types(tmp_path, cache, cases, x):
    revealed, runtime, checked = check_script(tmp_path, cache, cases, x)
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    assert not errors, "\n".join(errors)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert revealed == [static for _, static, _ in cases]
    assert runtime == [_runtime_type_name(kind) for _, _, kind in cases]


def test_a_users_script_sees_precise_types_from_transforms_math_and_nn(tmp_path, mypy_cache):
    assert_types(tmp_path, mypy_cache, TYPES_NOW, VALUE_FROM_NN)


def test_a_users_script_gets_a_value_from_arithmetic_ops_and_custom_ops_and_a_float_from_data(tmp_path, mypy_cache):
    assert_types(tmp_path, mypy_cache, TYPES_FROM_VALUE, VALUE_FROM_VALUE)


def test_a_users_script_gets_typed_strategies_expressions_and_gradcheck_reports(tmp_path, mypy_cache):
    assert_types(tmp_path, mypy_cache, TYPES_FROM_TESTING, VALUE_FROM_VALUE)


def _errors_for(tmp_path, cache, body, x):
    script = tmp_path / "wrong.py"
    script.write_text(PREAMBLE.format(x=x) + textwrap.dedent(body))
    checked = run_mypy_as_a_user(cache, script)
    return [line.split(": error: ")[1] for line in checked.stdout.splitlines()
            if line.startswith(script.name) and ": error: " in line]


def test_a_users_script_sees_precise_types_from_compile_its_batch_mode_and_its_torch_module(tmp_path, mypy_cache):
    pytest.importorskip("numpy", reason="compile's batch mode needs NumPy (the test extra installs it)")
    pytest.importorskip("torch", reason="Compiled.to_torch needs PyTorch (the test extra installs it)")
    assert_types(tmp_path, mypy_cache, TYPES_FROM_COMPILE, VALUE_FROM_NN)


def test_wrong_arguments_to_compile_are_mypy_errors_and_refused_at_run_time(tmp_path, mypy_cache):
    import autograd_lite as ag
    from autograd_lite import math as agm

    wrong = {
        "ag.compile(3.0)": 'Argument 1 to "compile" has incompatible type "float"',
        "ag.compile(wave, params=[1.0])": 'List item 0 has incompatible type "float"; expected "Value"',
        "ag.compile(wave, static_argnums=1)": 'Argument "static_argnums" to "compile" has incompatible type "int"',
        "ag.compile(wave).batch([1.0, 2.0], reduce='max')": 'No overload variant of "batch" of "Compiled" matches',
    }
    errors = _errors_for(tmp_path, mypy_cache, "".join(f"{call}\n" for call in wrong), VALUE_FROM_NN)
    assert len(errors) == len(wrong), errors
    for error, expected in zip(errors, wrong.values()):
        assert expected in error
    wave = agm.sin
    refused = [lambda: ag.compile(3.0), lambda: ag.compile(wave, params=[1.0]),
               lambda: ag.compile(wave, static_argnums=1), lambda: ag.compile(wave).batch([1.0, 2.0], reduce="max")]
    for call in refused:
        with pytest.raises((TypeError, ValueError)):
            call()


def test_wrong_arguments_to_the_typed_api_are_errors_for_mypy(tmp_path, mypy_cache):
    """The annotations are not all Any: what the code refuses at run time, mypy refuses too."""
    errors = _errors_for(tmp_path, mypy_cache, """\
        agm.exp("a")
        nn.MLP(2, "3")
        nn.SGD(model.parameters(), lr="fast")
        ag.grad(wave, argnums=0.5)
        expressions(n_leaves="2")
    """, VALUE_FROM_NN)
    assert len(errors) == 5, errors
    assert 'No overload variant of "__call__" of "ScalarFunction" matches argument type "str"' in errors[0]
    assert 'Argument 2 to "MLP" has incompatible type "str"' in errors[1]
    assert 'Argument "lr" to "SGD" has incompatible type "str"' in errors[2]
    assert 'No overload variant of "grad" matches' in errors[3]
    assert 'Argument "n_leaves" to "expressions" has incompatible type "str"' in errors[4]


def test_a_string_for_a_value_and_a_value_for_a_float_are_mypy_errors(tmp_path, mypy_cache):
    """Also the silent bug the run-time error guards against: math.exp(x) or float(x) would
    drop x from the graph. (Value's __float__, __int__ and __index__ exist only to raise;
    hidden from type checkers, they make these errors for mypy too.)"""
    errors = _errors_for(tmp_path, mypy_cache, """\
        Value(1.0) + "a"
        "a" * x
        math.exp(x)
        float(x)
        hypot(x, "a")
    """, VALUE_FROM_VALUE)
    assert len(errors) == 5, errors
    assert 'Unsupported operand types for + ("Value" and "str")' in errors[0]
    assert 'Unsupported operand types for * ("str" and "Value")' in errors[1]
    assert 'Argument 1 to "exp" has incompatible type "Value"' in errors[2]
    assert 'Argument 1 to "float" has incompatible type "Value"' in errors[3]
    assert 'Argument 2 to "__call__" of "CustomOp" has incompatible type "str"' in errors[4]


def test_what_mypy_refuses_is_refused_at_run_time_too():
    import math

    import autograd_lite as ag
    from autograd_lite import Value

    x = Value(1.0)
    hypot = ag.op("hypot", forward=math.hypot, local=lambda x, y, out: (x / out, y / out))
    for refused in (lambda: x + "a", lambda: "a" * x, lambda: math.exp(x), lambda: float(x), lambda: hypot(x, "a")):
        with pytest.raises(TypeError):
            refused()


def test_both_packages_pass_mypy_strict(mypy_cache):
    # The same command as .ci/run; pyproject.toml's [tool.mypy] names the packages and --strict.
    checked = run_mypy(mypy_cache)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Success: no issues found" in checked.stdout
    assert "autograd_lite" in (ROOT / "pyproject.toml").read_text().split("[tool.mypy]")[1].split("\n[")[0]


def test_the_wheel_ships_py_typed_for_both_packages(tmp_path):
    """PEP 561: without py.typed a type checker ignores an installed package's annotations."""
    pytest.importorskip("setuptools")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("autograd_lite", "nn"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-q", "-w", str(tmp_path / "wheel"), str(source)],
                           capture_output=True, text=True, timeout=280)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"autograd_lite/py.typed", "nn/py.typed"} <= names
