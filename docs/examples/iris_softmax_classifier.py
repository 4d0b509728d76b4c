"""The iris softmax classifier on autograd-lite: 4 features, one ReLU hidden layer of 8,
3 linear outputs trained with softmax + cross-entropy (logsumexp), a seeded 80/20 split,
Adam on mini-batches of 16. It comes from a tutorial on backpropagation written with
Jacobians, which trains this network on the iris flowers.

    python docs/examples/iris_softmax_classifier.py [--epochs 30]
"""

import argparse

from autograd_lite import nn


def run(epochs=30, seed=0, verbose=False):
    """Train on 120 flowers; return (history, test accuracy on the other 30)."""
    X, y = nn.datasets.iris()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=0.2, seed=seed)
    model = nn.MLP(4, [8, 3], activation="relu", seed=seed)
    optimizer = nn.Adam(model.parameters(), lr=0.02)
    history = nn.fit(model, X_train, y_train, nn.cross_entropy, optimizer, epochs=epochs, batch_size=16,
                     seed=seed, verbose=verbose)
    return history, nn.accuracy(model, X_test, y_test)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    history, test_accuracy = run(parser.parse_args().epochs, verbose=True)
    print(f"train loss {history['loss'][-1]:.4f}, train accuracy {history['accuracy'][-1]:.1%}, "
          f"test accuracy {test_accuracy:.1%}")
