"""The README's example: a node used twice receives the sum of both paths' contributions.

    python docs/examples/quickstart.py
"""

from autograd_lite import Value

x = Value(0.5, label="x")
w = Value(-1.0, label="w")
h = (x * w).tanh()             # h fans out to two consumers
z1, z2 = h * 0.5, h * 1.2
L = z1 * z1 + z2               # dL/dh sums two paths: via z1 and via z2
L.backward()

via_z1 = z1.grad * 0.5         # dL/dz1 * dz1/dh
via_z2 = z2.grad * 1.2         # dL/dz2 * dz2/dh
print(f"L = {L.data:.4f}")
print(f"dL/dh = {via_z1:.4f} + {via_z2:.4f} = {h.grad:.4f}")
print(f"dL/dx = {x.grad:.4f}, dL/dw = {w.grad:.4f}")
