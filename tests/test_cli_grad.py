"""`autograd-lite grad`: values and gradients against hand-derived derivatives, the
total-derivative sums, the graph, and every way an expression or a value is refused."""

import math
import xml.etree.ElementTree as ET

import pytest

from cli_support import call_cli, printed_numbers, run_cli


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


def test_the_issue_example_end_to_end(tmp_path):
    result = run_cli("grad", "tanh(x*w + b)", "x=0.5", "w=-1", "b=2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    numbers = printed_numbers(result.stdout)
    t = math.tanh(0.5 * -1 + 2)
    assert numbers["f"] == pytest.approx(t, rel=1e-12)
    assert numbers["df/dx"] == pytest.approx((1 - t * t) * -1, rel=1e-12)
    assert numbers["df/dw"] == pytest.approx((1 - t * t) * 0.5, rel=1e-12)
    assert numbers["df/db"] == pytest.approx(1 - t * t, rel=1e-12)


# (expression, values, f, {variable: hand-derived derivative})
CASES = [
    ("x*x + x", {"x": 3}, 12, {"x": 2 * 3 + 1}),
    ("sigmoid(a*b) * log(a)", {"a": 2, "b": 0.5}, sigmoid(1) * math.log(2),
     {"a": sigmoid(1) * (1 - sigmoid(1)) * 0.5 * math.log(2) + sigmoid(1) / 2,
      "b": sigmoid(1) * (1 - sigmoid(1)) * 2 * math.log(2)}),
    ("x**y", {"x": 2, "y": 3}, 8, {"x": 3 * 2 ** 2, "y": 8 * math.log(2)}),
    ("x**3 - 2/x", {"x": 0.5}, 0.125 - 4, {"x": 3 * 0.25 + 2 / 0.25}),
    ("sin(pi*x) + cos(x)", {"x": 0.25}, math.sin(math.pi / 4) + math.cos(0.25),
     {"x": math.pi * math.cos(math.pi / 4) - math.sin(0.25)}),
    ("exp(-x) * sqrt(y)", {"x": 1, "y": 4}, 2 * math.exp(-1), {"x": -2 * math.exp(-1), "y": math.exp(-1) / 4}),
    ("abs(x) + relu(y) + leaky_relu(z, 0.1)", {"x": -2, "y": -1, "z": -3}, 2 + 0 - 0.3,
     {"x": -1, "y": 0, "z": 0.1}),
    ("+x - -y", {"x": 1.5, "y": 2}, 3.5, {"x": 1, "y": 1}),
    ("e**x", {"x": 2}, math.exp(2), {"x": math.exp(2)}),
]


@pytest.mark.parametrize("expression, values, f, derivatives", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_hand_derivation(expression, values, f, derivatives):
    result = call_cli("grad", expression, *(f"{k}={v}" for k, v in values.items()))
    assert result.returncode == 0, result.stderr
    numbers = printed_numbers(result.stdout)
    assert numbers["f"] == pytest.approx(f, rel=1e-12, abs=1e-15)
    for name, derivative in derivatives.items():
        assert numbers[f"df/d{name}"] == pytest.approx(derivative, rel=1e-12, abs=1e-15)


def test_variables_are_printed_in_the_order_given():
    lines = call_cli("grad", "a + b", "b=1", "a=2").stdout.splitlines()
    assert [line.split(" = ")[0] for line in lines[2:]] == ["df/db", "df/da"]


def test_explain_writes_the_sum_over_every_use_of_a_fan_out():
    result = call_cli("grad", "x*x + x", "x=3", "--explain")
    assert result.returncode == 0
    # d/dx (x*x + x): via both factors of x*x (each x = 3) and via the + (1): 3 + 3 + 1 = 7
    assert "(1)(3) + (1)(3) + (1) = 7" in result.stdout
    assert "x is used 3 times" in result.stdout
    assert "v1 = x * x" in result.stdout  # the legend names the unlabelled intermediate


def test_explain_covers_an_intermediate_fan_out():
    result = call_cli("grad", "x*y + x*z", "x=2", "y=3", "z=5", "--explain")
    assert "x is used 2 times" in result.stdout
    assert "(1)(3) + (1)(5) = 8" in result.stdout


def test_a_repeated_sub_expression_is_one_node_used_several_times():
    # h = tanh(x) feeds both factors of h*h and the +: df/dh = 2h + 1, df/dx = (2h + 1)(1 - h**2)
    result = call_cli("grad", "tanh(x)*tanh(x) + tanh( x )", "x=0.5", "--explain")
    h = math.tanh(0.5)
    assert printed_numbers(result.stdout)["df/dx"] == pytest.approx((2 * h + 1) * (1 - h * h), rel=1e-12)
    assert "v1 is used 3 times" in result.stdout
    assert "  v1 = tanh(x)" in result.stdout


def test_explain_names_never_collide_with_a_variable_named_like_a_generated_name():
    # The variable is v1 and tanh(v1) is the unnamed value at topological index 1: it must not
    # be called v1 as well. d/dv1 tanh(v1)**2 = 2 tanh(v1) (1 - tanh(v1)**2).
    result = call_cli("grad", "tanh(v1)*tanh(v1)", "v1=0.5", "--explain")
    assert result.returncode == 0, result.stderr
    h = math.tanh(0.5)
    assert printed_numbers(result.stdout)["df/dv1"] == pytest.approx(2 * h * (1 - h * h), rel=1e-12)
    explained = result.stdout.split("Total derivative")[1]
    assert "df/dt1 = ∂f/∂t1 + ∂f/∂t1 = " in explained
    assert "  t1 = tanh(v1)" in explained
    assert [line for line in explained.splitlines() if line.startswith("  v1 =")] == []


def test_explain_says_when_nothing_fans_out():
    result = call_cli("grad", "tanh(x*w + b)", "x=0.5", "w=-1", "b=2", "--explain")
    assert "No value is used more than once, so every gradient is a plain chain-rule product." in result.stdout


def test_svg_is_written_and_names_the_variables(tmp_path):
    result = run_cli("grad", "x*y + x", "x=2", "y=3", "--svg", "graph.svg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = ET.parse(tmp_path / "graph.svg").getroot()
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "x" in text.split() and "y" in text.split()
    assert "grad 4.0000 = 3.0000 + 1.0000" in text  # df/dx = y + 1, as the sum of x's two paths


def test_dot_output_needs_no_renderer(tmp_path):
    result = run_cli("grad", "x*x", "x=2", "--svg", "graph.dot", cwd=tmp_path,
                     env={"AUTOGRAD_LITE_DOT": str(tmp_path / "no-such-dot")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


def test_no_renderer_for_svg_exits_1_and_says_how(tmp_path):
    result = run_cli("grad", "x*x", "x=2", "--svg", "graph.svg", cwd=tmp_path,
                     env={"AUTOGRAD_LITE_DOT": str(tmp_path / "no-such-dot")})
    assert result.returncode == 1
    assert "graph.dot" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "graph.svg").exists()


def test_a_hostile_expression_runs_nothing(tmp_path):
    result = run_cli("grad", "__import__('os').system('touch pwned')", cwd=tmp_path)
    assert result.returncode == 2
    assert "not allowed" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "pwned").exists()


HOSTILE = [
    ("__import__('os').system('echo hi')", "attribute access"),
    ("__import__('os')", "unknown function '__import__'"),
    ("x.__class__", "attribute access"),
    ("(lambda: 1)()", "lambdas"),
    ("[x for x in y]", "comprehensions"),
    ("x[0]", "subscripts"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("exp(x=1)", "keyword arguments"),
    ("exp(*x)", "*arguments"),
    ("x if y else z", "if-else"),
    ("x < y", "comparisons"),
    ("x and y", "and/or"),
    ("(y := 2)", "assignments"),
    ("'text'", "strings"),
    ("f'{x}'", "strings"),
    ("1j * x", "complex literals"),
    ("True * x", "bool literals"),
    ("x % 2", "operator Mod"),
    ("x // 2", "operator FloorDiv"),
    ("~x", "operator Invert"),
    ("x**10**10", "exponent 10 ** 10"),
    ("x**-5000", "exponent -5000"),
    ("2**2**2**2**2", "is too large"),
    ("1e999 * x", "too large"),
    ("9" * 400 + " * x", "too large"),
    ("a" * 10000, "10000 characters long; the limit is 1000"),
    ("(" * 300 + "x" + ")" * 300, "nested"),
    ("exp(" * 70 + "x" + ")" * 70, "nested more than 64 levels"),
    ("foo(x)", "unknown function 'foo'"),
    ("exp(x, x)", "exp at column 1 takes 1 argument(s), got 2"),
    ("leaky_relu(x, y)", "slope"),
    ("exp", "is a function; call it"),
    ("_secret", "reserved"),
    ("x +", "not a valid expression"),
    ("x = 1", "not a valid expression"),
    ("", "empty"),
]


@pytest.mark.parametrize("expression, message", HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_refused_expressions_exit_2_with_a_message(expression, message):
    result = call_cli("grad", expression, "x=1")
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.startswith("autograd-lite grad: error: ")
    assert result.stdout == ""


def test_an_expression_starting_with_minus_goes_after_double_dash():
    result = call_cli("grad", "--", "-x*w", "x=1", "w=2")
    assert result.returncode == 0
    assert printed_numbers(result.stdout) == {"f": -2.0, "df/dx": -2.0, "df/dw": -1.0}


BAD_VALUES = [
    (["x+y", "x=1"], "no value for y; add y=..."),
    (["x", "x=1", "z=3"], "z given but not used in the expression (its variables: x)"),
    (["x", "x"], "'x' is not of the form name=value"),
    (["x", "x="], "is not of the form name=value"),
    (["x", "=1"], "is not of the form name=value"),
    (["x", "x=abc"], "the value of x, 'abc', is not a number"),
    (["x", "x=1", "x=2"], "x is given twice"),
    (["x", "x=nan"], "must be a finite number"),
    (["x", "x=inf"], "must be a finite number"),
    (["x*pi", "x=1", "pi=3"], "pi is a constant"),
    (["x", "x.y=1"], "is not of the form name=value"),
]


@pytest.mark.parametrize("args, message", BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_missing_extra_or_malformed_values_exit_2(args, message):
    result = call_cli("grad", *args)
    assert result.returncode == 2
    assert message in result.stderr


DOMAIN_ERRORS = [
    (["log(x)", "x=-1"], "log(x) cannot be evaluated"),
    (["1 + 1/x", "x=0"], "1 / x cannot be evaluated"),
    (["exp(x)", "x=1000"], "exp(x) cannot be evaluated"),
    (["sqrt(x - 2)", "x=1"], "sqrt(x - 2) cannot be evaluated"),
    (["x**0.5", "x=-4"], "x ** 0.5 cannot be evaluated"),
]


@pytest.mark.parametrize("args, message", DOMAIN_ERRORS, ids=[" ".join(a) for a, _ in DOMAIN_ERRORS])
def test_domain_errors_exit_1_naming_the_sub_expression(args, message):
    result = call_cli("grad", *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
