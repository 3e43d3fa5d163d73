"""Helpers of the Keras-free tests that pin the resolver exactly: a spec's text resolved as the file ``s.yaml``
(``--set`` values as keyword arguments), and its mistakes caught whole as (place, path, message, hint, code)."""

from pathlib import Path

import pytest

from archcompiler.errors import SpecErrors
from archcompiler.resolve import graph_from_yaml
from archcompiler.source import load_yaml


def graph(text, **sets):
    return graph_from_yaml(load_yaml(text, "s.yaml"), Path("s.yaml"), {k: str(v) for k, v in sets.items()})


def errors(text, **sets):
    with pytest.raises(SpecErrors) as info:
        graph(text, **sets)
    return [(str(e.loc), e.path, e.message, e.hint, e.code) for e in info.value.errors]
