"""``${...}`` in a spec's values, evaluated while resolving; a mistake is reported where it is written."""

from __future__ import annotations

from ..expr import ExprError, substitute
from ..source import YDict, YList, ydict, ylist

FAILED = object()  # what _subst gives for an expression whose error is already reported


class Unavailable(ExprError):
    """An expression reads a tensor whose shape is unknown because of an error reported elsewhere."""


class ValuesMixin:
    """Part of the Resolver (resolve/__init__.py): reports through its ``error``; reads its ``failed_params``."""

    def _subst(self, value, env, container, key, path):
        """The value with its ``${...}`` evaluated, or FAILED (the error reported): never None,
        which an expression may legitimately give (``${None}``)."""
        if isinstance(value, str) and "${" not in value or not isinstance(value, (str, dict, list)):
            return value  # most values: nothing to evaluate
        try:
            return substitute_all(value, env)
        except Unavailable:
            return FAILED
        except ExprError as e:
            if e.code == "E-EXPR-NAME" and e.name in self.failed_params:
                return FAILED  # a param whose own expression failed, where its error is reported
            loc = container.where(key) if isinstance(container, (YDict, YList)) else None
            self.error(loc, e.message, path, e.hint, e.code)
            return FAILED


def substitute_all(value, env):
    """Evaluate ``${...}`` inside a value, keeping the YAML locations of containers."""
    if isinstance(value, str):
        return substitute(value, env) if "${" in value else value
    if isinstance(value, YDict):
        out = ydict({k: substitute_all(v, env) for k, v in value.items()}, value.loc, value.value_locs)
        out.key_locs = value.key_locs
        return out
    if isinstance(value, YList):
        return ylist([substitute_all(v, env) for v in value], value.loc, value.item_locs)
    if isinstance(value, dict):
        return {k: substitute_all(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_all(v, env) for v in value]
    return value
