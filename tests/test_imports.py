"""What importing costs and needs: the engine imports without graphviz, the top-level ``nn``
is the same package as ``autograd_lite.nn``, and the package has no import cycle."""

import ast
import pathlib
import subprocess
import sys
import textwrap

import autograd_lite
from autograd_lite import nn as package_nn

ROOT = pathlib.Path(autograd_lite.__file__).parent


def run_python(code, cwd=None):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_the_engine_imports_and_differentiates_without_graphviz():
    result = run_python("""
        import sys
        sys.modules["graphviz"] = None          # as if graphviz were not installed
        import autograd_lite as ag
        from autograd_lite import nn
        x = ag.Value(3.0)
        (x * x).backward()
        print(x.grad, "autograd_lite.render" in sys.modules, "autograd_lite.compiler" in sys.modules)
        try:
            ag.draw_graph(x)
        except ImportError as error:
            print("ImportError:", error)
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "6.0 False False"
    assert lines[1].startswith("ImportError: drawing graphs needs the graphviz Python package")
    assert "pip install graphviz" in lines[1]


def test_lazy_names_are_the_real_objects_and_listed():
    from autograd_lite.compiler import compile as compile_function
    from autograd_lite.render import draw_graph

    assert autograd_lite.compile is compile_function
    assert autograd_lite.draw_graph is draw_graph
    assert {"compile", "draw_graph", "TracingError"} <= set(dir(autograd_lite))
    for name in autograd_lite.__all__:
        assert getattr(autograd_lite, name) is not None
    try:
        autograd_lite.no_such_name
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("an unknown attribute must raise AttributeError")


def test_dir_lists_the_public_api_and_every_name_it_lists_exists():
    listed = dir(autograd_lite)
    assert set(listed) == {*autograd_lite.__all__, "nn", "testing", "compiler", "render", "math", "extend",
                           "__version__"}
    assert not {"Any", "TYPE_CHECKING", "importlib", "value", "rules", "_LAZY"} & set(listed)
    for name in listed:
        getattr(autograd_lite, name)


def test_subpackages_are_reachable_from_the_top_level_without_an_import():
    result = run_python("""
        import autograd_lite as ag
        print(ag.nn.MLP.__module__, ag.testing.gradcheck.__name__, type(ag.nn).__name__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["autograd_lite.nn.module", "gradcheck", "module"]


def test_top_level_nn_is_autograd_lite_nn_down_to_submodules():
    import nn
    import nn.checkpoint

    import autograd_lite.nn.checkpoint

    assert nn is package_nn
    assert nn.MLP is package_nn.MLP
    assert nn.checkpoint is autograd_lite.nn.checkpoint
    assert nn.checkpoint.CheckpointError is package_nn.CheckpointError


def test_demo_works_in_a_folder_holding_a_users_nn_py(tmp_path):
    (tmp_path / "nn.py").write_text("# a user's micrograd-style nn.py\nclass Neuron: pass\n")
    result = subprocess.run([sys.executable, "-m", "autograd_lite", "demo", "--epochs", "1"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "accuracy" in result.stdout.lower()


def _imports_of(path):
    """The sibling modules a file of autograd_lite/nn imports, at the top or inside a function."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_nn_has_no_import_cycle():
    folder = ROOT / "nn"
    graph = {path.stem: _imports_of(path) for path in folder.glob("*.py") if path.stem != "__init__"}

    def visit(module, stack):
        assert module not in stack, f"import cycle: {' -> '.join([*stack, module])}"
        for imported in graph.get(module, ()):
            visit(imported, [*stack, module])

    for module in graph:
        visit(module, [])
