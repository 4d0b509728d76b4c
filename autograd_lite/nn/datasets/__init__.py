"""Data sets that need no network: iris ships inside the package; the rest are seeded
generators in the spirit of scikit-learn's (same shapes and knobs, our own random stream,
so the numbers differ from scikit-learn's). Each returns (X, y): a list of [x1, x2, ...]
lists and a list of int labels."""

from __future__ import annotations

import csv
import math
import random
from importlib import resources

Dataset = tuple[list[list[float]], list[int]]  # (X, y)
Seed = int | random.Random | None

from ..inputs import integer, seed_value

__all__ = ["iris", "names", "moons", "circles", "blobs", "classification", "IRIS_FEATURES", "IRIS_CLASSES"]

IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")


def iris() -> Dataset:
    """Fisher's iris data, 150 rows, as in scikit-learn's copy (which corrects two values
    of the UCI file): X has the 4 features of IRIS_FEATURES in cm, y the class index
    0, 1, 2 of IRIS_CLASSES, 50 of each, in the file's order."""
    text = resources.files(__package__).joinpath("iris.csv").read_text(encoding="ascii")
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    if int(header[0]) != len(body):
        raise RuntimeError(f"iris.csv is damaged: header says {header[0]} rows, found {len(body)}")
    return [[float(v) for v in row[:4]] for row in body], [int(row[4]) for row in body]


def names(shuffle: Seed | bool = False) -> list[str]:
    """5,163 first names, lower case a-z, 2 to 11 letters: the 1990 US Census name files
    (female and male, public domain; a name in both counted once), most frequent first.
    A character-level language model's data set, as microgpt's names are, shipped with
    the package. ``shuffle=seed`` returns them in a seeded random order instead."""
    text = resources.files(__package__).joinpath("names.txt").read_text(encoding="ascii")
    header, *body = text.splitlines()
    if header.split()[:2] != ["#", str(len(body))]:
        raise RuntimeError(f"names.txt is damaged: its header says {header.split()[1:2]} names, found {len(body)}")
    if shuffle is False:
        return body
    if shuffle is True:
        raise TypeError("shuffle takes a seed (an int or a random.Random), or False")
    _rng(shuffle).shuffle(body)
    return body


def _rng(seed: Seed) -> random.Random:
    return seed if isinstance(seed, random.Random) else random.Random(seed_value(seed))


def _count(n: int) -> int:
    count = integer(n)
    if count is None or count < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    return count


def moons(n: int = 100, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """Two interleaving half circles (scikit-learn's make_moons): the upper moon, label 0,
    is (cos t, sin t) and the lower, label 1, is (1 - cos t, 0.5 - sin t) for t evenly
    spaced in [0, pi]; then Gaussian noise of std ``noise`` on each coordinate."""
    rng, n = _rng(seed), _count(n)
    n_upper = n // 2
    n_lower = n - n_upper
    X: list[list[float]] = []
    y: list[int] = []
    for label, count in ((0, n_upper), (1, n_lower)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0
            point = [math.cos(t), math.sin(t)] if label == 0 else [1.0 - math.cos(t), 0.5 - math.sin(t)]
            X.append([point[0] + rng.gauss(0.0, noise), point[1] + rng.gauss(0.0, noise)])
            y.append(label)
    return _shuffled(X, y, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: Seed = 0) -> Dataset:
    """A large circle (label 0, radius 1) around a small one (label 1, radius ``factor``),
    evenly spaced angles, Gaussian noise of std ``noise`` (scikit-learn's make_circles)."""
    rng, n = _rng(seed), _count(n)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be strictly between 0 and 1, got {factor!r}")
    X: list[list[float]] = []
    y: list[int] = []
    for label, radius, count in ((0, 1.0, n - n // 2), (1, factor, n // 2)):
        for i in range(count):
            t = 2 * math.pi * i / count
            X.append([radius * math.cos(t) + rng.gauss(0.0, noise), radius * math.sin(t) + rng.gauss(0.0, noise)])
            y.append(label)
    return _shuffled(X, y, rng)


def blobs(n: int = 100, centers: int = 3, n_features: int = 2, std: float = 1.0,
          box: tuple[float, float] = (-10.0, 10.0), seed: Seed = 0) -> Dataset:
    """Isotropic Gaussian clusters (scikit-learn's make_blobs): ``centers`` centres drawn
    uniformly in ``box`` per coordinate, n points shared out as evenly as possible,
    label = the cluster's index."""
    rng, n = _rng(seed), _count(n)
    center_count = integer(centers)
    if center_count is None or center_count < 1:
        raise ValueError(f"centers must be a positive int, got {centers!r}")
    middles = [[rng.uniform(*box) for _ in range(n_features)] for _ in range(center_count)]
    X: list[list[float]] = []
    y: list[int] = []
    for i in range(n):
        label = i % center_count
        X.append([c + rng.gauss(0.0, std) for c in middles[label]])
        y.append(label)
    return _shuffled(X, y, rng)


def classification(n: int = 100, class_sep: float = 1.0, clusters_per_class: int = 2, flip: float = 0.01,
                   seed: Seed = 0) -> Dataset:
    """A two-feature, two-class set like scikit-learn's ``make_classification(
    n_features=2, n_informative=2, n_redundant=0)``: the classes' clusters sit at the
    corners (+-class_sep, +-class_sep) of a square, assigned at random, each a unit
    Gaussian pushed through a random linear map (so clusters are correlated ellipses);
    then a fraction ``flip`` of labels is flipped at random."""
    rng, n = _rng(seed), _count(n)
    if clusters_per_class not in (1, 2):
        raise ValueError(f"clusters_per_class must be 1 or 2 with two features, got {clusters_per_class!r}")
    corners = [[sx * class_sep, sy * class_sep] for sx in (-1, 1) for sy in (-1, 1)]
    rng.shuffle(corners)
    clusters = [(corners[k], k % 2, [rng.uniform(-1.0, 1.0) for _ in range(4)])
                for k in range(2 * clusters_per_class)]
    X: list[list[float]] = []
    y: list[int] = []
    for i in range(n):
        (cx, cy), label, (a, b, c, d) = clusters[i % len(clusters)]
        g1, g2 = rng.gauss(0.0, 1.0), rng.gauss(0.0, 1.0)
        X.append([cx + a * g1 + b * g2, cy + c * g1 + d * g2])
        y.append(label if rng.random() >= flip else 1 - label)
    return _shuffled(X, y, rng)


def _shuffled(X: list[list[float]], y: list[int], rng: random.Random) -> Dataset:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


__all__ = ["iris", "names", "moons", "circles", "blobs", "classification", "IRIS_FEATURES", "IRIS_CLASSES"]
