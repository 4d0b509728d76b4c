"""Training as microgpt trains: Adam with its betas and a linear decay, AdamW, gradient
clipping and the cosine and warmup schedules. Optimizers are checked against PyTorch's
(float64, several steps), schedules against values worked out by hand."""

import math

import pytest

from autograd_lite import Value
from autograd_lite import nn


def quadratic_run(make_ours, make_theirs, steps=5, factor=None):
    """Minimise sum_i c_i p_i**2 + p_i with both optimizers; the parameters after each step."""
    torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[torch]"')
    start, c = [0.5, -1.5, 2.0], [1.0, 3.0, 0.2]
    ours = [Value(x) for x in start]
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt, topt = make_ours(ours), make_theirs([theirs])
    scheduler = None if factor is None else torch.optim.lr_scheduler.LambdaLR(topt, factor)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        sum((ci * p * p + p for ci, p in zip(c, ours)), Value(0.0)).backward()
        opt.step()
        topt.zero_grad()
        (torch.tensor(c, dtype=torch.float64) * theirs * theirs + theirs).sum().backward()
        topt.step()
        if scheduler is not None:
            scheduler.step()
        history.append(([p.data for p in ours], theirs.detach().tolist()))
    return history


def assert_same_run(history):
    for ours, theirs in history:
        assert ours == pytest.approx(theirs, abs=1e-12, rel=0)


def test_adam_with_microgpts_betas_matches_torch():
    import_torch = pytest.importorskip("torch")
    assert_same_run(quadratic_run(lambda ps: nn.Adam(ps, lr=0.01, betas=(0.85, 0.99), eps=1e-8),
                                  lambda ps: import_torch.optim.Adam(ps, lr=0.01, betas=(0.85, 0.99), eps=1e-8)))


def test_adamw_matches_torch_adamw():
    torch = pytest.importorskip("torch")
    assert_same_run(quadratic_run(lambda ps: nn.AdamW(ps, lr=0.05, betas=(0.8, 0.95), weight_decay=0.3),
                                  lambda ps: torch.optim.AdamW(ps, lr=0.05, betas=(0.8, 0.95), weight_decay=0.3)))


def test_adamw_defaults_are_torchs():
    torch = pytest.importorskip("torch")
    assert_same_run(quadratic_run(lambda ps: nn.AdamW(ps), lambda ps: torch.optim.AdamW(ps)))


def test_adamw_decays_at_the_scheduled_rate():
    torch = pytest.importorskip("torch")
    schedule = nn.linear_decay(0.1, 0.0, 5)
    assert_same_run(quadratic_run(
        lambda ps: nn.AdamW(ps, lr=schedule, weight_decay=0.5),
        lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.5), factor=lambda k: 1 - k / 5))


def test_clip_grad_norm_matches_torch_and_returns_the_norm_before_clipping():
    torch = pytest.importorskip("torch")
    grads = [3.0, -4.0, 12.0]  # norm 13
    ours = [Value(0.0) for _ in grads]
    for p, g in zip(ours, grads):
        p.grad = g
    theirs = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    theirs.grad = torch.tensor(grads, dtype=torch.float64)
    assert nn.clip_grad_norm(ours, 6.5) == 13.0
    torch.nn.utils.clip_grad_norm_([theirs], 6.5)
    assert [p.grad for p in ours] == pytest.approx(theirs.grad.tolist(), abs=1e-15)


def test_clip_grad_norm_leaves_small_gradients_alone():
    ps = [Value(0.0), Value(0.0)]
    ps[0].grad, ps[1].grad = 0.3, 0.4
    assert nn.clip_grad_norm(ps, 1.0) == pytest.approx(0.5)
    assert [p.grad for p in ps] == [0.3, 0.4]


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), True, "1"])
def test_clip_grad_norm_refuses_a_bad_max_norm(bad):
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0"):
        nn.clip_grad_norm([Value(0.0)], bad)


def test_clip_grad_norm_refuses_a_diverged_gradient_and_changes_nothing():
    ps = [Value(0.0), Value(0.0)]
    ps[0].grad, ps[1].grad = 5.0, float("nan")
    with pytest.raises(ValueError, match="nan or inf"):
        nn.clip_grad_norm(ps, 1.0)
    assert ps[0].grad == 5.0


def test_cosine_decay_by_hand():
    schedule = nn.cosine_decay(1.0, 0.2, 4)
    # 0.2 + 0.8 * (1 + cos(pi k / 4)) / 2
    assert [schedule(k) for k in range(6)] == pytest.approx(
        [1.0, 0.2 + 0.4 * (1 + math.sqrt(0.5)), 0.6, 0.2 + 0.4 * (1 - math.sqrt(0.5)), 0.2, 0.2], abs=1e-15)


def test_warmup_ramps_up_then_runs_the_schedule_from_its_start():
    schedule = nn.warmup(4, nn.linear_decay(1.0, 0.0, 10))
    assert [schedule(k) for k in range(7)] == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0, 0.9, 0.8], abs=1e-15)
    assert [nn.warmup(2, 0.5)(k) for k in range(4)] == [0.25, 0.5, 0.5, 0.5]


def test_microgpts_learning_rate_is_a_linear_decay_to_zero():
    schedule = nn.linear_decay(0.01, 0.0, 1000)
    assert [schedule(k) for k in (0, 250, 999, 1000, 2000)] == pytest.approx(
        [0.01 * (1 - k / 1000) for k in (0, 250, 999)] + [0.0, 0.0], abs=1e-18)


@pytest.mark.parametrize("make, match", [
    (lambda: nn.cosine_decay(0, 0, 10), "rate of 0 throughout"),
    (lambda: nn.cosine_decay(1, 0, 0), "steps .* must be a finite number > 0"),
    (lambda: nn.cosine_decay(-1, 0, 10), "start must be"),
    (lambda: nn.warmup(0, 1.0), "warmup steps must be an int >= 1"),
    (lambda: nn.warmup(2.5, 1.0), "warmup steps must be an int >= 1"),
    (lambda: nn.warmup(True, 1.0), "warmup steps must be an int >= 1"),
    (lambda: nn.warmup(3, 0.0), "rate of 0"),
    (lambda: nn.warmup(3, float("nan")), "the rate after warmup must be"),
])
def test_bad_schedules_are_refused_when_built(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_gpt_learns_one_sequence_with_adam_and_clipping():
    model = nn.GPT(6, 8, n_embd=8, n_head=2, seed=0)
    tokens = [5, 0, 1, 2, 3, 4, 5]
    opt = nn.Adam(model.parameters(), lr=nn.warmup(5, nn.cosine_decay(0.05, 0.005, 35)), betas=(0.85, 0.99))
    first = model.loss(tokens).data
    for _ in range(40):
        opt.zero_grad()
        loss = model.loss(tokens)
        loss.backward()
        nn.clip_grad_norm(model.parameters(), 1.0)
        opt.step()
    assert first > 1.5 and model.loss(tokens).data < 0.1
