"""Block uses (``use: <block>``): the block's arguments checked against its declaration, its inputs
(positional, then by name), and its layers expanded in a frame of their own, named after the instance
(or, with ``prefix: false``, as if written where the block is used)."""

from __future__ import annotations

from ..errors import did_you_mean
from ..graph import Scope, TensorRef
from ..spec import ARG_TYPES, BlockUse
from .names import Frame, Names
from .values import FAILED

MAX_BLOCK_DEPTH = 16
ENTRY_KEYS = {"name", "inputs", "repeat", "when"}


class BlocksMixin:
    """Part of the Resolver (resolve/__init__.py): reads its ``doc``, ``raw`` and ``params``; expands a block's layers
    with its ``_sequence``."""

    def _block_use(self, raw, data, frame: Frame, previous, path, repeat) -> TensorRef | None:
        use = self._validate(BlockUse, data, raw, path)
        if use is None:
            return None
        block = self.doc.blocks.get(use.use)
        if block is None:
            self.error(raw.where("use"), f"unknown block '{use.use}'", f"{path}.use",
                       did_you_mean(use.use, self.doc.blocks) or
                       f"blocks of this spec: {', '.join(self.doc.blocks) or 'none'}", "E-BLOCK-UNKNOWN")
            return None
        if use.use in frame.blocks:
            chain = " → ".join(frame.blocks + (use.use,))
            self.error(raw.where("use"), f"block '{use.use}' uses itself ({chain})", f"{path}.use",
                       "a block cannot contain itself, directly or through another block", "E-BLOCK-RECURSIVE")
            return None
        if len(frame.blocks) >= MAX_BLOCK_DEPTH:
            self.error(raw.where("use"), f"blocks nested more than {MAX_BLOCK_DEPTH} deep", f"{path}.use",
                       code="E-LIMIT")
            return None
        block_raw = self.raw["blocks"][use.use]
        env, ok = self._block_args(raw, data, use, block, frame, previous, path)
        sources = self._sources(raw, data, frame, previous, path)
        if ok and sources is not None:
            sources = self._named_inputs(raw, data, block, use.use, frame, sources, path)
        if not ok or sources is None:
            if use.name:
                frame.names[use.name] = None
            return None
        if len(sources) != len(block.inputs):
            missing = block.inputs[len(sources):]
            self.error(raw.where("inputs") if "inputs" in raw else raw.loc,
                       f"block '{use.use}' reads {len(block.inputs)} input(s) ({', '.join(block.inputs)}), "
                       f"got {len(sources)}", f"{path}.inputs",
                       f"give the others by name, e.g. {missing[0]}: <layer>" if missing and len(sources) else "",
                       "E-INPUTS-COUNT")
            return None
        instance = use.name or self._auto_name(frame, use.use)
        prefix = frame.qualify(instance)
        group, index, count = repeat or (f"g{next(self.groups)}", 1, 1)
        scope = Scope(prefix, use.use, group, index, count, tuple((a, env[a]) for a in block.args if a in env))
        inner = Frame(prefix, dict(zip(block.inputs, sources)), env, frame.scopes + (scope,),
                      frame.blocks + (use.use,))
        if not block.prefix:  # the layers are named as if written here, numbered on with the enclosing ones
            inner.prefix, inner.counters = frame.prefix, frame.counters
        out = self._sequence(block_raw["layers"], inner, sources[0], f"blocks.{use.use}.layers")
        if block.output and out is not None:
            out = self._lookup(block.output, inner, block_raw.where("output"), f"blocks.{use.use}.output")
        frame.names[instance] = out
        return out

    def _block_args(self, raw, data, use: BlockUse, block, frame: Frame, previous, path) -> tuple[dict, bool]:
        """The values a block's layers see (params, then its arguments: given, or the defaults evaluated),
        and whether they are all right (each mistake reported)."""
        block_raw = self.raw["blocks"][use.use]
        env = dict(self.params)
        names = Names(env, lambda key: self._view(key, frame, previous, data))  # a default may read 'in'
        ok = True
        for arg, default in block.args.items():
            given = arg in data
            value = data[arg] if given else default
            if isinstance(default, str) and default in ARG_TYPES:
                if not given:
                    self.error(raw.loc, f"block '{use.use}' needs argument '{arg}' ({default})", path,
                               code="E-BLOCK-ARG-MISSING")
                    ok = False
                    continue
                if not isinstance(value, ARG_TYPES[default]) or (default != "bool" and isinstance(value, bool)):
                    self.error(raw.where(arg), f"argument '{arg}' of block '{use.use}' must be {default}, "
                               f"got {value!r}", f"{path}.{arg}", code="E-BLOCK-ARG-TYPE")
                    ok = False
            elif not given:
                value = self._subst(default, names, block_raw["args"], arg, f"blocks.{use.use}.args.{arg}")
                if value is FAILED:
                    ok = False
                    continue
            env[arg] = value
        for arg in data:
            if arg not in block.args and arg not in ENTRY_KEYS | {"use"} and arg not in block.inputs[1:]:
                self.error(raw.key_locs.get(arg, raw.loc), f"block '{use.use}' has no argument '{arg}'",
                           f"{path}.{arg}", did_you_mean(arg, block.args) or
                           f"its arguments: {', '.join(block.args) or 'none'}", "E-BLOCK-ARG-UNKNOWN")
                ok = False
        return env, ok

    def _named_inputs(self, raw, data, block, block_name, frame: Frame, sources, path):
        """Block inputs after the first may also be given by name (``memory: encoder``): they follow
        the positional ones (``inputs:``, or the previous layer), so a repeated block reads its
        previous copy and a fixed tensor at once (a Transformer decoder layer and the encoder output)."""
        named = [n for n in block.inputs[1:] if n in data and n not in block.args]
        if not named:
            return sources
        out, ok = list(sources), True
        for n in named:
            if n in block.inputs[:len(sources)]:
                self.error(raw.key_locs.get(n, raw.loc), f"input '{n}' of block '{block_name}' is given twice, "
                           "in 'inputs' and by name", f"{path}.{n}", code="E-BLOCK-INPUT-TWICE")
                ok = False
        for n in block.inputs[len(sources):]:
            if n not in data:
                break
            found = self._lookup(data[n], frame, raw.where(n), f"{path}.{n}")
            if found is None:
                return None
            out.append(found)
        return out if ok else None

