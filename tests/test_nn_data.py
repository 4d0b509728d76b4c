"""Data: the shipped iris table against published facts, the generators' geometry and
seeding, splitting and batching."""

import re
import math
from collections import Counter

import pytest

from autograd_lite import nn
from autograd_lite.nn import datasets


def test_iris_has_150_rows_50_per_class_and_fishers_column_means():
    X, y = datasets.iris()
    assert len(X) == 150 and all(len(row) == 4 for row in X)
    assert Counter(y) == {0: 50, 1: 50, 2: 50}
    means = [sum(row[i] for row in X) / 150 for i in range(4)]
    assert means == pytest.approx([5.84, 3.05, 3.76, 1.20], abs=0.01)  # the UCI description's summary
    assert X[0] == [5.1, 3.5, 1.4, 0.2] and X[-1] == [5.9, 3.0, 5.1, 1.8]


def test_iris_carries_scikit_learns_corrections_of_rows_35_and_38():
    X, _ = datasets.iris()
    assert X[34] == [4.9, 3.1, 1.5, 0.2]  # UCI's erratum: fourth feature
    assert X[37] == [4.9, 3.6, 1.4, 0.1]  # UCI's erratum: second and third features


@pytest.mark.parametrize("make", [datasets.moons, datasets.circles, datasets.blobs, datasets.classification])
def test_generators_are_seeded_and_do_not_touch_global_random(make):
    import random
    random.seed(0)
    state = random.getstate()
    assert make(n=40, seed=3) == make(n=40, seed=3)
    assert make(n=40, seed=3) != make(n=40, seed=4)
    X, y = make(n=40, seed=3)
    assert len(X) == len(y) == 40 and all(len(x) == 2 for x in X)
    assert random.getstate() == state


def test_noiseless_moons_lie_on_the_two_half_circles():
    X, y = datasets.moons(50, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert Counter(y) == {0: 25, 1: 25}


def test_noiseless_circles_have_radius_one_and_factor():
    X, y = datasets.circles(40, noise=0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)


def test_blobs_labels_are_balanced_and_points_near_their_centre():
    X, y = datasets.blobs(90, centers=3, std=0.1, seed=0)
    assert Counter(y) == {0: 30, 1: 30, 2: 30}
    for label in range(3):
        points = [x for x, t in zip(X, y) if t == label]
        cx, cy = (sum(p[i] for p in points) / 30 for i in range(2))
        assert max(math.hypot(p[0] - cx, p[1] - cy) for p in points) < 0.5


def test_classification_has_two_balanced_classes_and_flips_labels():
    _, y = datasets.classification(200, flip=0.0, seed=1)
    assert Counter(y) == {0: 100, 1: 100}
    _, flipped = datasets.classification(200, flip=0.5, seed=1)
    assert flipped != y


def test_train_test_split_partitions_the_data_reproducibly():
    X, y = [[i] for i in range(10)], list(range(10))
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, 0.2, seed=5)
    assert len(X_test) == 2 and len(X_train) == 8
    assert sorted(y_train + y_test) == y and [x[0] for x in X_test] == y_test
    assert nn.train_test_split(X, y, 0.2, seed=5) == (X_train, X_test, y_train, y_test)
    with pytest.raises(ValueError, match="test_fraction"):
        nn.train_test_split(X, y, 1.5)
    with pytest.raises(ValueError, match="10 examples but y has 3"):
        nn.train_test_split(X, [1, 2, 3])


@pytest.mark.parametrize("batch_size, sizes", [(None, [10]), (1, [1] * 10), (4, [4, 4, 2])])
def test_batches_cover_every_example_once(batch_size, sizes):
    X, y = [[i] for i in range(10)], list(range(10))
    got = list(nn.batches(X, y, batch_size, shuffle=True, seed=0))
    assert [len(b[1]) for b in got] == sizes
    assert sorted(t for _, ys in got for t in ys) == y
    assert all([x[0] for x in xs] == ys for xs, ys in got)


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        list(nn.batches([[1]], [1], 0))


def test_names_are_the_1990_census_first_names_most_frequent_first():
    names = nn.datasets.names()
    # the Census Bureau's files list 4,275 female and 1,219 male first names; a name on both is kept once
    assert 4275 < len(names) < 4275 + 1219 and len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z]{2,11}", name) for name in names)
    assert names[:3] == ["james", "john", "robert"]  # 3.318%, 3.271%, 3.143% of men; Mary is 2.629% of women
    assert names.index("mary") == 3
    assert {"patricia", "linda", "michael", "william", "elizabeth"} <= set(names[:20])


def test_names_shuffled_by_a_seed_are_the_same_names_in_a_repeatable_order():
    names = nn.datasets.names()
    first, again, other = (nn.datasets.names(shuffle=seed) for seed in (1, 1, 2))
    assert sorted(first) == sorted(names) and first == again and first != other and first != names
    with pytest.raises(TypeError, match="seed"):
        nn.datasets.names(shuffle=True)
