"""Pytrees: grad, value_and_grad, jacobian, hessian and compile take nested lists, tuples and
dicts of numbers and return derivatives in the same structure; bad leaves are named by path."""

import math
from collections import OrderedDict, namedtuple

import pytest

import autograd_lite as ag
from autograd_lite import Value, pytree

Point = namedtuple("Point", "x y")


class TestFlattenAndUnflatten:
    def test_leaves_come_in_order_and_the_tree_comes_back_with_its_container_types(self):
        tree = {"w": [1.0, (2, 3.5)], "b": None, "p": Point(4.0, 5.0), "o": OrderedDict([("z", 6.0), ("a", 7.0)])}
        leaves, treedef = pytree.flatten(tree)
        # dict keys sorted (b, o, p, w); an OrderedDict keeps its insertion order (z, a)
        assert leaves == [6.0, 7.0, 4.0, 5.0, 1.0, 2.0, 3.5]
        rebuilt = pytree.unflatten(treedef, leaves)
        assert rebuilt == tree
        assert type(rebuilt["w"][1]) is tuple and type(rebuilt["p"]) is Point
        assert type(rebuilt["o"]) is OrderedDict and list(rebuilt["o"]) == ["z", "a"]
        assert rebuilt["b"] is None and treedef.num_leaves == 7

    def test_numbers_become_floats_and_values_stay_values(self):
        v = Value(2.0)
        leaves, _ = pytree.flatten([1, v])
        assert type(leaves[0]) is float and leaves[1] is v

    def test_structure_is_independent_of_dict_insertion_order_but_not_of_container_type(self):
        assert pytree.flatten({"a": 1.0, "b": 2.0})[1] == pytree.flatten({"b": 2.0, "a": 1.0})[1]
        assert pytree.flatten([1.0, 2.0])[1] != pytree.flatten((1.0, 2.0))[1]
        assert pytree.flatten({"a": 1.0})[1] != pytree.flatten({"b": 1.0})[1]
        assert hash(pytree.flatten({"a": [1.0]})[1]) == hash(pytree.flatten({"a": [7.0]})[1])

    def test_unflatten_checks_the_number_of_leaves(self):
        _, treedef = pytree.flatten([1.0, 2.0])
        with pytest.raises(ValueError, match="2 leaves, got 3"):
            pytree.unflatten(treedef, [1.0, 2.0, 3.0])

    @pytest.mark.parametrize("tree, message", [
        ({"w": [1.0, "a"]}, r"argument 0\['w'\]\[1\]: expected a number or a Value, got str"),
        (Point(1.0, {2.0}), r"argument 0\.y: expected a number or a Value, got set"),
        ([True], r"argument 0\[0\] expects a real number .*bool"),
        ({1: 1.0, "a": 2.0}, r"argument 0: a dict's keys must be sortable.*OrderedDict"),
    ])
    def test_a_bad_leaf_is_a_type_error_naming_its_path(self, tree, message):
        with pytest.raises(TypeError, match=message):
            pytree.flatten(tree, "argument 0")

    def test_a_list_that_contains_itself_is_a_clear_error_not_a_crash(self):
        loop = [1.0]
        loop.append(loop)
        with pytest.raises(ValueError, match="levels deep"):
            pytree.flatten(loop)

    def test_numpy_scalars_are_numbers_and_arrays_get_a_hint(self):
        np = pytest.importorskip("numpy", reason="numpy comes with the numpy extra")
        assert ag.grad(lambda p: p["a"] * 2.0)({"a": np.float32(1.5)}) == {"a": 2.0}
        with pytest.raises(TypeError, match=r"argument 0\['a'\]: .*got ndarray; convert an array with .tolist\(\)"):
            ag.grad(lambda p: p["a"][0])({"a": np.array([1.0, 2.0])})

    def test_unknown_containers_are_not_guessed(self):
        class MyList(list):
            pass
        with pytest.raises(TypeError, match="MyList.*only list, tuple"):
            pytree.flatten(MyList([1.0]))


class TestGradOverPytrees:
    def test_the_issue_example(self):
        assert ag.grad(lambda p: p["w"] * p["b"])({"w": 2.0, "b": 3.0}) == {"w": 3.0, "b": 2.0}

    def test_nested_structure_by_hand(self):
        def loss(params, x):
            (w1, w2), b = params["w"], params["b"]
            return (w1 * x[0] + w2 * x[1] + b).tanh()

        params, x = {"w": (0.3, -0.2), "b": 0.1}, [1.5, 2.0]
        z = 0.3 * 1.5 - 0.2 * 2.0 + 0.1
        d = 1 - math.tanh(z) ** 2
        grads = ag.grad(loss, argnums=(0, 1))(params, x)
        assert grads[0]["w"] == pytest.approx((d * 1.5, d * 2.0), rel=1e-14)
        assert type(grads[0]["w"]) is tuple and type(grads[1]) is list
        assert grads[0]["b"] == pytest.approx(d, rel=1e-14)
        assert grads[1] == pytest.approx([d * 0.3, d * -0.2], rel=1e-14)

    def test_value_and_grad_with_namedtuple_and_none(self):
        value, g = ag.value_and_grad(lambda p, bias: p.x ** 2 * p.y)(Point(3.0, 2.0), None)
        assert value == 18.0 and g == Point(12.0, 9.0) and type(g) is Point
        assert ag.grad(lambda p: p[0] * 2.0)([5.0, None]) == [2.0, None]

    def test_a_leaf_the_function_ignores_gets_zero(self):
        assert ag.grad(lambda p: p["a"] * 3.0)({"a": 1.0, "unused": 5.0}) == {"a": 3.0, "unused": 0.0}

    def test_the_same_value_at_two_leaves_counts_as_two_variables(self):
        # Inside an outer transform, x is a Value; the inner grad must treat p[0] and p[1] apart.
        def outer(x):
            g = ag.grad(lambda p: p[0] * 2.0 + p[1] * 3.0)([x, x])
            return g[0] * x + g[1]
        assert ag.grad(outer)(1.0) == 2.0

    def test_grad_of_grad_with_values_inside_a_pytree(self):
        f = lambda p: p["x"] ** 3 * p["y"]
        fxx = ag.grad(lambda x: ag.grad(f)({"x": x, "y": 2.0})["x"])(1.5)
        assert fxx == pytest.approx(6 * 1.5 * 2.0, rel=1e-14)

    def test_bad_leaf_error_names_transform_and_path(self):
        with pytest.raises(TypeError, match=r"grad: argument 0\['w'\]\[1\]: expected a number"):
            ag.grad(lambda p: p["w"][0])({"w": [1.0, "a"]})


def test_nested_transforms_do_not_confuse_perturbations():
    # d/dx [ d/dy (y * x) at y = x ] = d/dx x = 1 (JAX gets 1; the engine used to say 2)
    assert ag.grad(lambda x: ag.grad(lambda y: y * x)(x))(3.0) == 1.0


def test_transforms_differentiate_inside_no_grad_like_torch_func():
    with ag.no_grad():
        assert ag.grad(lambda x: x * x)(3.0) == 6.0
        assert ag.hessian(lambda x: x ** 3, argnums=0)(2.0) == 12.0


class TestJacobianAndHessianOverPytrees:
    def test_jacobian_output_structure_outside_input_structure_inside(self):
        f = lambda p: {"prod": p[0] * p[1], "parts": [p[0] - p[1], 2.0]}
        jac = ag.jacobian(f, argnums=0)((2.0, 3.0))
        assert jac == {"prod": (3.0, 2.0), "parts": [(1.0, -1.0), (0.0, 0.0)]}

    def test_jacobian_over_all_arguments_is_a_list_per_output(self):
        jac = ag.jacobian(lambda x, p: [x * p["a"]])(2.0, {"a": 5.0})
        assert jac == [[5.0, {"a": 2.0}]]

    def test_hessian_of_a_dict_argument_nests_like_jax(self):
        # f = x² y + sin(y): f_xx = 2y, f_xy = 2x, f_yy = -sin(y)
        h = ag.hessian(lambda p: p["x"] ** 2 * p["y"] + p["y"].sin(), argnums=0)({"x": 1.5, "y": 0.5})
        assert h["x"]["x"] == 1.0 and h["x"]["y"] == 3.0 and h["y"]["x"] == 3.0
        assert h["y"]["y"] == pytest.approx(-math.sin(0.5), rel=1e-15)

    def test_hessian_with_an_int_argnums_on_a_number_is_a_number(self):
        assert ag.hessian(lambda x: x ** 3, argnums=0)(2.0) == 12.0
        assert ag.hessian(lambda x: x ** 3)(2.0) == [[12.0]]


class TestCompileOverPytrees:
    def test_gradients_come_back_in_the_argument_structure_and_match_grad(self):
        def f(params, x):
            return (params["w"][0] * x + params["w"][1] * x * x + params["b"]).tanh()

        step = ag.compile(f)
        params = {"w": (0.5, -0.25), "b": 0.1}
        value, (g_params, g_x) = step(params, 0.7)
        expected = ag.value_and_grad(f, argnums=(0, 1))(params, 0.7)
        assert value == expected[0] and (g_params, g_x) == expected[1]
        assert type(g_params["w"]) is tuple and set(g_params) == {"w", "b"}

    def test_a_new_structure_traces_again_a_new_dict_order_does_not(self):
        step = ag.compile(lambda p: p["a"] * p["b"])
        assert step({"a": 2.0, "b": 3.0}) == (6.0, ({"a": 3.0, "b": 2.0},))
        assert step({"b": 5.0, "a": 1.0}) == (5.0, ({"a": 5.0, "b": 1.0},))
        assert step.traces == 1
        step({"a": 2.0, "b": 3.0, "c": 1.0})
        assert step.traces == 2

    def test_a_bad_leaf_names_its_path(self):
        with pytest.raises(TypeError, match=r"argument 0\['a'\]: expected a number"):
            ag.compile(lambda p: p["a"])({"a": "x"})
