"""Steps of the patent that the model leaves out on purpose, each with its reason.

Traceability reports a defined step as *out of scope* only when it is listed here; every
other defined step is either cited by a model transition or reported as having no model
counterpart."""

from __future__ import annotations

_PRECONDITION = ("registration, authentication and discovery are preconditions: the model starts with both UEs "
                 "registered and the relay discovered (\"refer to a conventional protocol\", [0117])")

OUT_OF_SCOPE: dict[str, str] = {
    **{f"S{m}0{n}": _PRECONDITION for m in (2, 4, 5, 6, 7) for n in (1, 2, 3)},
}
"""Step -> why the model does not represent it."""
