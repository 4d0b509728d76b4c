"""Every op the engine offers reaches every surface that lists ops: the random expression
graphs of ``autograd_lite.testing`` (and their sympy oracle), the ``autograd-lite grad``
expression language, and docs/testing-gradients.md. An op added to ``rules.TABLE`` or to
``autograd_lite.operators`` fails here until it is added to each, or excluded below with
a reason that a reviewer agreed to."""

import re
from pathlib import Path

import pytest

from autograd_lite import Value, operators, rules
from autograd_lite.cli.expression import BINARY, evaluate, parse
from autograd_lite.cli.functions import FUNCTIONS
from autograd_lite.testing import ALL_OPS
from autograd_lite.testing.expression import OPS, PAIRED, VARIADIC
from autograd_lite.testing.oracle import SYMPY_OPS

DOCS = Path(__file__).resolve().parent.parent / "docs"

# The engine's ops: the table's rows and the public functions of autograd_lite.operators
# (which also hold the parametrized ops, such as clamp(lo, hi), and the ops over lists).
ENGINE_OPS = sorted({row[0] for row in rules.TABLE} | set(operators.__all__))

CLAMPED_LOG = ("binary cross-entropy's log with a straight-through clamp, an internal op of "
               "nn.binary_cross_entropy (tests/test_nn_losses.py, test_compile_branches.py)")
NOT_IN_RANDOM_GRAPHS = {
    "mean": "sum then division by n: the graphs already draw sum and /",
    "clamped_log": CLAMPED_LOG,
}
NOT_IN_THE_CLI = {
    "sum": "takes a list; the expression language has no lists (write a + b + c)",
    "mean": "takes a list; the expression language has no lists",
    "dot": "takes two lists; the expression language has no lists",
    "logsumexp": "takes a list; the expression language has no lists",
    "softmax": "returns a list; an expression has one output",
    "clamped_log": CLAMPED_LOG,
}
# Sample parameters for the random-graph ops that take one.
PARAMS = {"**n": 2.0, "x+c": 1.0, "c*x": 2.0, "c-x": 1.0, "c/x": 1.0, "c**x": 2.0, "leaky_relu": 0.1,
          "elu": 0.5, "clamp": (-1.0, 1.0), "softmax": 0}


def op_name(node):
    """The table row a node comes from: ``clamp(-1, 1)`` -> ``clamp``, ``**2`` -> ``**n``."""
    if re.fullmatch(r"\*\*[-0-9.e+infa]+", node.op):  # x ** 2.0 records "**2", the row "**n"
        return "**n"
    return re.match(r"[^(\[]+", node.op).group()


@pytest.mark.parametrize("reasons", [NOT_IN_RANDOM_GRAPHS, NOT_IN_THE_CLI])
def test_exclusions_name_real_ops_with_a_reason(reasons):
    assert set(reasons) <= set(ENGINE_OPS)
    assert all(len(reason) > 20 for reason in reasons.values())


def test_every_engine_op_is_drawn_by_the_random_graphs_and_known_to_the_oracle():
    missing = [op for op in ENGINE_OPS if op not in OPS and op not in NOT_IN_RANDOM_GRAPHS]
    assert not missing, (f"add {missing} to autograd_lite/testing/expression.py OPS, oracle.py SYMPY_OPS and "
                         "the domain rules of strategies.py, or to NOT_IN_RANDOM_GRAPHS here with a reason")
    assert set(SYMPY_OPS) == set(OPS) == set(ALL_OPS)


@pytest.mark.parametrize("op", [op for op in ENGINE_OPS if op in OPS])
def test_a_random_graph_op_is_the_engines_op_of_that_name(op):
    # not a composition of other ops: the graph tests that op's own derivative rule
    spec = OPS[op]
    arity = {VARIADIC: 2, PAIRED: 4}.get(spec.arity, spec.arity)
    node = spec.on_values([Value(0.3 + 0.4 * i) for i in range(arity)], PARAMS.get(op))
    assert op_name(node) == op


@pytest.mark.parametrize("op", [op for op in ALL_OPS if op not in ENGINE_OPS])
def test_the_other_random_graph_ops_are_numbers_mixed_in(op):
    node = OPS[op].on_values([Value(0.5)], PARAMS[op])
    assert re.fullmatch(r"[-+*/]|\*\*[-0-9.e]*", node.op), node.op  # x ** 2.0 is the op "**2"


def _cli_ops():
    """The op of every node the expression language can make."""
    variables = {"x": Value(0.3), "y": Value(0.7)}
    texts = [f"x {symbol} y" for symbol in BINARY.values()] + ["-x", "x ** 2"]
    for name, function in FUNCTIONS.items():
        arguments = ["x", "y"][: function.operands] + ["-1", "1"][: len(function.constants)]
        texts.append(f"{name}({', '.join(arguments)})")
    return {op_name(evaluate(parse(text)[0], variables)) for text in texts}


def test_every_engine_op_can_be_written_in_a_grad_expression():
    missing = [op for op in ENGINE_OPS if op not in _cli_ops() and op not in NOT_IN_THE_CLI]
    assert not missing, (f"add {missing} to autograd_lite/cli/functions.py FUNCTIONS, or to NOT_IN_THE_CLI "
                         "here with a reason")


def test_every_grad_function_calls_the_engine_op_of_its_name_or_alias():
    assert {FUNCTIONS[name].op or name for name in FUNCTIONS} <= set(ENGINE_OPS)


def test_the_testing_docs_list_exactly_the_random_graph_ops():
    text = (DOCS / "testing-gradients.md").read_text(encoding="utf-8")
    listing = text[text.index("- `ops`: the op names"): text.index("- `n_leaves`:")]
    listed = " ".join(re.findall(r"`([^`]+)`", listing.split("\n", 1)[1])).split()
    assert sorted(listed) == sorted(ALL_OPS)
