"""One step of backprop by the delta rule, and batch vs stochastic vs mini-batch gradient
descent on one data set, on autograd-lite. It comes from a tutorial on the delta rule
(backpropagation written out by hand for a small sigmoid network, then the three modes).

Part 1, one step: 2 binary inputs, two hidden sigmoid layers (2 neurons each), a sigmoid
output with log loss, alpha = 0.5, x = (1, 0), y = 1. The tutorial's weights were only
in images and are lost, so these are our own; as in the tutorial, one step raises the output
and the deltas shrink towards the input (vanishing gradients).

Part 2, three modes: the same MLP (2 -> 4 tanh -> 1 sigmoid, log loss) trained from the
same start on one data set with batch_size None (batch: 1 step per epoch), 1 (stochastic:
60 steps per epoch) and 10 (mini-batch: 6 steps per epoch), each for 30 epochs.

    python docs/examples/one_step_of_backprop.py
"""

from autograd_lite import nn

WEIGHTS = ([[0.5, -0.3], [0.2, 0.4]], [0.1, -0.1],   # hidden layer 1: rows per neuron, biases
           [[0.6, -0.4], [0.3, 0.8]], [0.0, 0.2],    # hidden layer 2
           [[0.7, 0.9]], [-0.2])                     # output


def one_step(alpha=0.5, x=(1.0, 0.0), y=1.0):
    """Output before and after one SGD step, and the mean |delta| per layer (input side first)."""
    model = nn.MLP(2, [2, 2, 1], activation="sigmoid", output_activation="sigmoid")
    for layer, i in zip(model.layers, range(0, 6, 2)):
        layer.set_weights(WEIGHTS[i], WEIGHTS[i + 1])
    before = model(list(x))
    loss = nn.binary_cross_entropy(before, y)
    optimizer = nn.SGD(model.parameters(), lr=alpha)
    optimizer.zero_grad()
    loss.backward()
    # a bias's gradient is its neuron's delta (the bias is the weight on x0 = 1)
    deltas = [sum(abs(n.b.grad) for n in layer.neurons) / layer.nout for layer in model.layers]
    optimizer.step()
    return before.data, model(list(x)).data, deltas


def three_modes(epochs=30, seed=0):
    """{mode: history} for batch, stochastic and mini-batch training from the same start."""
    X, y = nn.datasets.classification(60, class_sep=1.5, clusters_per_class=1, flip=0.0, seed=seed)
    histories = {}
    for mode, batch_size, lr in (("batch", None, 0.5), ("stochastic", 1, 0.05), ("mini-batch", 10, 0.2)):
        model = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", init="xavier", seed=seed)
        optimizer = nn.SGD(model.parameters(), lr=lr)
        histories[mode] = nn.fit(model, X, y, nn.binary_cross_entropy, optimizer, epochs=epochs,
                                 batch_size=batch_size, seed=seed, verbose=False)
    return histories


if __name__ == "__main__":
    before, after, deltas = one_step()
    print(f"one step: output {before:.4f} -> {after:.4f}; mean |delta| per layer {[round(d, 5) for d in deltas]}")
    for mode, history in three_modes().items():
        print(f"{mode:>10}: loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f}, "
              f"accuracy {history['accuracy'][-1]:.0%}")
