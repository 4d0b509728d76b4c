"""The softmax Jacobian from backward, and each activation's derivative from backward next
to its formula, on autograd-lite. It comes from a tutorial listing the activations and
losses of a basic network, each with its derivative.

    python docs/examples/softmax_and_activations.py
"""

import math

from autograd_lite import Value, softmax

from autograd_lite import nn


def softmax_jacobian(logits):
    """(softmax values, Jacobian J[i][j] = d s_i / d a_j), the rows read off backward."""
    jacobian = []
    for i in range(len(logits)):
        inputs = [Value(a) for a in logits]
        outputs = softmax(inputs)
        outputs[i].backward()
        jacobian.append([a.grad for a in inputs])
    return [s.data for s in outputs], jacobian


def activation_derivative(activation, a):
    """(f(a), f'(a)) for a named activation, from one neuron's backward."""
    x = Value(a)
    fn, _ = nn.activations.resolve(activation).bind()
    out = fn(x)
    out.backward()
    return out.data, x.grad


TUTORIAL_FORMULAS = {  # f'(a) written with f(a) = out, as the tutorial gives them
    "sigmoid": lambda a, out: out * (1 - out),
    "tanh": lambda a, out: 1 - out**2,
    "relu": lambda a, out: 1.0 if a > 0 else 0.0,
    "leaky_relu": lambda a, out: 1.0 if a > 0 else 0.01,
    "linear": lambda a, out: 1.0,
}


if __name__ == "__main__":
    s, jacobian = softmax_jacobian([0.3, 0.6])
    print(f"softmax([0.3, 0.6]) = [{s[0]:.4f}, {s[1]:.4f}]  (the tutorial prints 0.4255, 0.5745)")
    for i, row in enumerate(jacobian):
        formula = [s[i] * ((1 if i == j else 0) - s[j]) for j in range(2)]
        print(f"row {i}: backward {[round(v, 6) for v in row]}, s_i (delta_ij - s_j) {[round(v, 6) for v in formula]}")
    for name, formula in TUTORIAL_FORMULAS.items():
        for a in (-1.5, 0.7):
            out, grad = activation_derivative(name, a)
            print(f"{name:>10}'({a:+.1f}) backward {grad:.6f}  formula {formula(a, out):.6f}")
    out, grad = activation_derivative(nn.ScaledSigmoid(c=2.0, beta=3.0), 0.2)
    s = 1 / (1 + math.exp(-0.6))
    print(f"scaled sigmoid c=2, beta=3 at 0.2: backward {grad:.6f}  c beta s (1 - s) {2 * 3 * s * (1 - s):.6f}")
