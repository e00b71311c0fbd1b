"""One bounded YAML loader for every document herz reads (scenarios, sweep specs, ``--set``).

``yaml.safe_load`` is safe from code execution but not from cost: a 1 KB document of nested
anchors and aliases ("billion laughs") expands to billions of nodes in anything that walks it,
a 4,301-digit integer raises a bare ``ValueError``, 500 levels of nesting a ``RecursionError``,
and a repeated key silently keeps the last value. This loader refuses each of these with one
:class:`~herz.errors.InputError` sentence, in time and memory bounded by the document's size:

1. the text is at most :data:`MAX_BYTES` long;
2. a first pass over the parser's event stream (PyYAML's parser keeps its own stack, so it
   does not recurse) bounds the nesting depth, the number of aliases and the length of each
   scalar, before any Python object is built;
3. the composed node graph is measured with aliases expanded (memoized, so measuring costs
   the size of the document, not of its expansion) and refused past :data:`MAX_NODES`;
4. only then are Python objects constructed, with duplicate keys refused and integers of more
   than :data:`MAX_INT_DIGITS` digits refused.
"""

from __future__ import annotations

from typing import Any

import yaml

from herz.errors import InputError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS", "MAX_NODES", "load_yaml", "quote"]

#: Largest document accepted, in bytes (a 1,000-state scenario is about 200 KB).
MAX_BYTES = 2**20
#: Deepest nesting of mappings and sequences (scenarios need about 6).
MAX_DEPTH = 64
#: Most values (nodes) in a document, aliases counted as expanded (a 1,000-state scenario
#: has about 20,000).
MAX_NODES = 100_000
#: Longest scalar, in characters.
MAX_SCALAR = 100_000

#: libyaml's parser and composer (C) where PyYAML was built with it: ten times faster than
#: the pure-Python ones, which stay the fallback. Both keep their own stacks (no recursion).
_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Most digits in an integer (Python's own limit for int(str) is 4,300).
MAX_INT_DIGITS = 100


def quote(value: Any, limit: int = 60) -> str:
    """A short ``repr`` of ``value`` for an error message, built in bounded time.

    ``reprlib`` stops after a few items and levels, so a huge or deeply nested value (an
    expanded alias, a long list) costs a few microseconds, not its full size.
    """
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxdict, r.maxtuple, r.maxset = 3, 6, 6, 6, 6
    r.maxstring, r.maxother, r.maxlong = limit, limit, limit
    text = r.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


class _Loader(_BASE):  # type: ignore[valid-type, misc]
    """SafeLoader that refuses duplicate keys and oversized integers."""

    source = "<yaml>"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: PyYAML's own error follows
                break
            if duplicate:
                raise InputError(
                    f"{self.source}: duplicate key {quote(key)}{_where(key_node.start_mark)}; "
                    "each key may appear once.",
                    source=self.source,
                    field=str(key),
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise InputError(
                f"{self.source}: an integer of {digits} digits{_where(node.start_mark)}; "
                f"herz reads integers of at most {MAX_INT_DIGITS} digits.",
                source=self.source,
            )
        value: int = super().construct_yaml_int(node)
        return value


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _check_events(text: str, source: str) -> int:
    """Bound depth, aliases and scalar sizes on the event stream, before building anything;
    return the number of aliases (without any, the events already counted every value)."""
    depth = 0
    aliases = 0
    for count, event in enumerate(yaml.parse(text, Loader=_BASE)):
        if count > MAX_NODES:  # every value is at least one event: stop reading early
            raise InputError(
                f"{source}: the document holds more than {MAX_NODES:,} values.", source=source
            )
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    f"{source}: nested more than {MAX_DEPTH} levels deep"
                    f"{_where(event.start_mark)}; herz documents need far fewer.",
                    source=source,
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > 10_000:
                raise InputError(f"{source}: more than 10000 aliases (*name).", source=source)
        elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR:
            raise InputError(
                f"{source}: a value of {len(event.value)} characters{_where(event.start_mark)}; "
                f"the limit is {MAX_SCALAR}.",
                source=source,
            )
    return aliases


def _expanded_size(root: yaml.Node, source: str) -> int:
    """Nodes in the document with every alias expanded, computed in time linear in the
    document (each distinct node is measured once), refused past :data:`MAX_NODES`."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_NODES:
            raise InputError(
                f"{source}: the document holds more than {MAX_NODES:,} values, counting each "
                "alias (*name) as the values it stands for.",
                source=source,
            )
        sizes[id(node)] = total
    return sizes.get(id(root), 1)


def load_yaml(text: str | bytes, *, source: str = "<yaml>") -> Any:
    """Parse one YAML document within the bounds above.

    Raises
    ------
    InputError
        For a document that is too large, too deep, too alias-heavy, has a duplicate key, an
        oversized integer or invalid YAML: one sentence naming ``source`` and, where known,
        the line.
    """
    size = len(text)
    if size > MAX_BYTES:
        raise InputError(
            f"{source}: the document is {size:,} bytes; the limit is {MAX_BYTES:,}.",
            source=source,
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{source}: not UTF-8 text.", source=source) from None
    try:
        aliases = _check_events(text, source)
        loader = _Loader(text)
        loader.source = source
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if aliases:
                _expanded_size(node, source)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            f"{source}: invalid YAML{_where(mark)}: {problem}.", source=source
        ) from None
    except RecursionError:
        raise InputError(f"{source}: nested too deeply.", source=source) from None
