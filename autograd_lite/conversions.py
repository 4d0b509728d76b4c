"""Numbers in, floats out: what the engine accepts where a number belongs, and the error
that names the place and the offending type when it gets something else."""

import numbers


def as_float(x: object, where: str) -> float:
    """``x`` as a float, or a TypeError that names ``where`` and the offending type.

    Accepted: int, float and other ``numbers.Real`` (NumPy scalars, Fraction), and 0-d NumPy
    arrays. Rejected: bool, because a flag where a number belongs is almost always a bug.
    """
    if type(x) is float:
        return x
    if type(x).__module__.startswith("numpy.ma"):  # np.ma.masked would read as 0.0
        raise TypeError(f"{where} expects a real number (int or float), got a NumPy masked {type(x).__name__}, "
                        "whose masked entries hold no numbers: pass a.filled(value), or leave those entries out")
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            size = f"an int of {x.bit_length()} bits" if isinstance(x, int) else type(x).__name__
            raise OverflowError(f"{where} got {size}, too large for a float (largest about 1.8e308)") from None
        except (TypeError, ValueError):  # registered as a number but none (NumPy's timedelta64): refused below
            pass
    elif getattr(x, "ndim", None) == 0 and hasattr(x, "item"):  # a 0-d NumPy array
        return as_float(x.item(), where)
    kind = "bool" if isinstance(x, bool) else type(x).__name__
    hint = "; pass float(flag) if you mean 0.0/1.0" if isinstance(x, bool) else ""
    raise TypeError(f"{where} expects a real number (int or float), got {kind} {x!r}{hint}")


def as_label(label: object, where: str) -> str:
    """``label`` as a plain str, or a TypeError that names ``where`` and the offending type.

    A str subclass (NumPy's ``str_``, say) is accepted and stored as a plain str copy, so
    none of its overridden methods (``__format__``, ``__html__``...) runs when a graph is drawn.
    """
    if isinstance(label, str):
        return str.__str__(label)  # for a subclass, a plain str with the same text
    raise TypeError(f"{where} must be a str, got {type(label).__name__}; pass the text you mean, "
                    "e.g. str(x) or f\"w{i}\"")
