"""Random expression graphs for the compile tests: a program is a list of steps, each an op
applied to earlier values (so values fan out), evaluated either on Values or, through
autograd_lite.compile, on floats and arrays."""

import autograd_lite as ag
from hypothesis import strategies as st

# Each op takes Values from the pool; the "safe" forms keep every input in the op's domain,
# so any later input is valid too (compiled code must run on inputs it was not traced on).
UNARY = {
    "neg": lambda x: -x,
    "abs": abs,
    "exp": lambda x: x.tanh().exp(),
    "log": lambda x: (x * x + 0.5).log(),
    "sqrt": lambda x: (x * x + 0.25).sqrt(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "leaky_relu": lambda x: x.leaky_relu(0.2),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "square": lambda x: x ** 2,
    "cube": lambda x: x ** 3,
    "const_mul": lambda x: 0.75 * x,
    "tan": lambda x: x.tanh().tan(),
    "asin": lambda x: (0.9 * x.tanh()).asin(),
    "acos": lambda x: (0.9 * x.tanh()).acos(),
    "atan": lambda x: x.atan(),
    "sinh": lambda x: x.tanh().sinh(),
    "cosh": lambda x: x.atan().cosh(),
    "log1p": lambda x: (x * x).log1p(),
    "expm1": lambda x: x.tanh().expm1(),
    "erf": lambda x: x.erf(),
    "erfc": lambda x: x.erfc(),
    "softplus": lambda x: x.softplus(),
    "gelu": lambda x: x.gelu(),
    "silu": lambda x: x.silu(),
    "elu": lambda x: x.elu(0.5),
    "clamp": lambda x: x.clamp(-0.5, 1.0),
    "one_sided_clamp": lambda x: x.clamp(hi=0.25),
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (b * b + 1.0),
    "**": lambda a, b: (a * a + 1.0) ** b.tanh(),
    "maximum": lambda a, b: ag.maximum(a, b),
    "minimum": lambda a, b: ag.minimum(a, b),
}
NARY = {
    "sum": lambda xs: ag.sum(xs),
    "dot": lambda xs: ag.dot(xs, list(reversed(xs))),
    "logsumexp": lambda xs: ag.logsumexp(xs),
    "softmax": lambda xs: ag.softmax(xs)[0],
}


@st.composite
def programs(draw, max_inputs=3, max_steps=12):
    """(number of inputs, steps); a step is (kind, op name, operand positions)."""
    n_inputs = draw(st.integers(1, max_inputs))
    steps, size = [], n_inputs
    for _ in range(draw(st.integers(1, max_steps))):
        kind = draw(st.sampled_from(["unary", "binary", "nary"]))
        table = {"unary": UNARY, "binary": BINARY, "nary": NARY}[kind]
        arity = {"unary": 1, "binary": 2, "nary": draw(st.integers(1, 4))}[kind]
        operands = tuple(draw(st.integers(0, size - 1)) for _ in range(arity))
        steps.append((kind, draw(st.sampled_from(sorted(table))), operands))
        size += 1
    return n_inputs, steps


def evaluate(program, xs):
    """The program on the Values (or numbers) ``xs``; the output sums the last two values,
    so both the end of the chain and a shared intermediate feed it."""
    _, steps = program
    pool = list(xs)
    for kind, name, operands in steps:
        args = [pool[i] for i in operands]
        if kind == "unary":
            pool.append(UNARY[name](args[0]))
        elif kind == "binary":
            pool.append(BINARY[name](*args))
        else:
            pool.append(NARY[name](args))
    return pool[-1] + pool[-2] * 0.5 if len(pool) > 1 else pool[-1] * 1.0


inputs = st.floats(-3.0, 3.0, allow_nan=False, width=64)


def bits(x):
    """A float's exact identity: repr tells -0.0 from 0.0 and prints every digit."""
    return repr(float(x))
