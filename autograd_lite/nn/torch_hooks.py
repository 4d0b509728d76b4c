"""What ``from_torch`` refuses beyond the module types: hooks and parametrizations.

A forward hook or pre-hook can change a module's input or output, a parametrization
(``torch.nn.utils.parametrizations.weight_norm``, say) recomputes a weight on every call,
and a backward hook, or a hook on a parameter tensor, changes the gradients. An ``MLP``
carries none of these, so a module with any of them would be read as something it is
not. State-dict hooks change only what ``state_dict()`` / ``load_state_dict()`` see, and
``from_torch`` reads the parameters themselves, so they are allowed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

# (attribute on a Module, what it is, how it is removed)
_MODULE_HOOKS = (
    ("_forward_pre_hooks", "a forward pre-hook", "register_forward_pre_hook"),
    ("_forward_hooks", "a forward hook", "register_forward_hook"),
    ("_backward_pre_hooks", "a backward pre-hook", "register_full_backward_pre_hook"),
    ("_backward_hooks", "a backward hook", "register_full_backward_hook"),
)
# The same, registered for every module at once (torch.nn.modules.module.register_module_*).
_GLOBAL_HOOKS = (
    ("_global_forward_pre_hooks", "a global forward pre-hook", "register_module_forward_pre_hook"),
    ("_global_forward_hooks", "a global forward hook", "register_module_forward_hook"),
    ("_global_backward_pre_hooks", "a global backward pre-hook", "register_module_full_backward_pre_hook"),
    ("_global_backward_hooks", "a global backward hook", "register_module_full_backward_hook"),
)
_TENSOR_HOOKS = (
    ("_backward_hooks", "a gradient hook", "register_hook"),
    ("_post_accumulate_grad_hooks", "a post-accumulate-grad hook", "register_post_accumulate_grad_hook"),
)
_REMOVE = "remove it (the handle its register_... call returned has .remove()) and call from_torch again"


def _hook_name(hook: object) -> str:
    name = getattr(hook, "__qualname__", None)
    return name if isinstance(name, str) else type(hook).__name__


def _first(hooks: Any) -> object | None:
    """The first hook of a hook dict (or None/empty): None if there is none."""
    return next(iter(hooks.values()), None) if hooks else None


def refuse_hooks(torch: ModuleType, module: Any) -> None:
    """ValueError naming the first hook or parametrization found on ``module``, any of its
    submodules or their parameters, or registered globally for every module."""
    globals_ = torch.nn.modules.module
    for attribute, what, register in _GLOBAL_HOOKS:
        hook = _first(getattr(globals_, attribute, None))
        if hook is not None:
            raise ValueError(f"from_torch: torch has {what} ({_hook_name(hook)}, from "
                             f"torch.nn.modules.module.{register}) that applies to every module and changes "
                             f"what it computes; an autograd-lite MLP cannot carry it: {_REMOVE}")
    for name, submodule in module.named_modules():
        where = f"from_torch: {'the module' if not name else 'item ' + name} ({type(submodule).__name__})"
        if torch.nn.utils.parametrize.is_parametrized(submodule):
            parametrized = ", ".join(f"{tensor} by {', '.join(type(p).__name__ for p in chain)}"
                                     for tensor, chain in submodule.parametrizations.items())
            raise ValueError(f"{where} is parametrized ({parametrized}, e.g. from weight_norm): its weights are "
                             "recomputed on every call, which an MLP cannot do. Bake them in first with "
                             "torch.nn.utils.parametrize.remove_parametrizations(module, name, "
                             "leave_parametrized=True)")
        if isinstance(submodule, torch.nn.modules.lazy.LazyModuleMixin):
            continue  # its pre-hook is its own machinery; from_torch refuses it by type, saying why
        for attribute, what, register in _MODULE_HOOKS:
            hook = _first(getattr(submodule, attribute, None))
            if hook is not None:
                raise ValueError(f"{where} has {what} ({_hook_name(hook)}, from {register}), which changes what "
                                 f"it computes and which an autograd-lite MLP cannot carry: {_REMOVE}")
        for pname, parameter in submodule.named_parameters(recurse=False):
            for attribute, what, register in _TENSOR_HOOKS:
                hook = _first(getattr(parameter, attribute, None))
                if hook is not None:
                    raise ValueError(f"{where}: its {pname} has {what} ({_hook_name(hook)}, from "
                                     f"Tensor.{register}), which changes its gradient and which an "
                                     f"autograd-lite MLP cannot carry: {_REMOVE}")
