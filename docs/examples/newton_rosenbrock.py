"""Newton's method against gradient descent on the Rosenbrock function, with the Hessian from
autograd_lite.hessian.

    python docs/examples/newton_rosenbrock.py
"""

import autograd_lite as ag


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def newton(start, tolerance=1e-10, max_steps=100):
    """Steps until the gradient's size is below ``tolerance``: (point, steps)."""
    x, y = start
    for step in range(max_steps):
        gx, gy = ag.grad(rosenbrock, argnums=(0, 1))(x, y)
        if (gx * gx + gy * gy) ** 0.5 < tolerance:
            return (x, y), step
        (a, b), (c, d) = ag.hessian(rosenbrock)(x, y)
        det = a * d - b * c  # solve H [dx, dy] = g for the 2x2 Hessian
        x, y = x - (d * gx - b * gy) / det, y - (a * gy - c * gx) / det
    return (x, y), max_steps


def gradient_descent(start, lr=1e-3, tolerance=1e-10, max_steps=200_000):
    x, y = start
    for step in range(max_steps):
        gx, gy = ag.grad(rosenbrock, argnums=(0, 1))(x, y)
        if (gx * gx + gy * gy) ** 0.5 < tolerance:
            return (x, y), step
        x, y = x - lr * gx, y - lr * gy
    return (x, y), max_steps


if __name__ == "__main__":
    start = (-1.2, 1.0)
    (x, y), steps = newton(start)
    print(f"Newton:           ({x:.6f}, {y:.6f}) after {steps} steps")
    (x, y), steps = gradient_descent(start, max_steps=20_000)
    print(f"gradient descent: ({x:.6f}, {y:.6f}) after {steps} steps (stopped at 20000)")
