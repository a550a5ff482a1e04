"""YAML reading that keeps line and column for error messages (safe loader only).

The text is first scanned as a stream of events (no tree is built) for its size and depth, so a
document of millions of nodes or thousands of levels is refused in bounded time and memory. It is
then composed into a node tree (so every value keeps its position), checked for duplicate keys,
alias bombs and numbers beyond float range, and only then constructed with PyYAML's *safe*
constructor, which refuses every Python-object tag.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from diagnose.errors import KnowledgeBaseProblem

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


class _Loader(yaml.SafeLoader):
    """The safe loader with YAML 1.2 booleans: only true/false, never yes/no/on/off.

    YAML 1.1 reads `reverse: yes` as true and `language: no` as false; in a knowledge base that
    hides mistakes, so such values stay text and the schema says what was expected.
    """


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_FAST = getattr(yaml, "CSafeLoader", None)
if _FAST is not None:

    class _FastLoader(_FAST):  # type: ignore[misc, valid-type]  # the stubs type CSafeLoader loosely
        """libyaml's parser with the same resolvers: about ten times faster to compose."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


#: Tags that build something other than plain data; a knowledge base has no use for them.
_REFUSED_TAGS = {
    "tag:yaml.org,2002:binary": "!!binary",
    "tag:yaml.org,2002:set": "!!set",
    "tag:yaml.org,2002:omap": "!!omap",
    "tag:yaml.org,2002:pairs": "!!pairs",
    "tag:yaml.org,2002:timestamp": "!!timestamp",
}
#: Scalar tags whose text must be readable as that type.
_TYPED_SCALARS = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
}

#: Largest number of nodes (scalars, lists, mappings, aliases) a document may have as written.
MAX_NODES = 250_000
#: Largest number of nodes a document may expand to once aliases are followed.
MAX_EXPANDED_NODES = MAX_NODES
#: Deepest nesting of lists and mappings a document may have.
MAX_DEPTH = 100
#: Text of a value longer than this is shown shortened in messages.
_SHOWN = 40


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed YAML file: its data and its node tree, for locating problems."""

    file: str
    data: object
    root: yaml.Node | None

    def locate(self, loc: Iterable[str | int]) -> tuple[int, int]:
        """Return the 1-based (line, column) of the value at `loc`, or of its nearest ancestor."""
        node = self.root
        if node is None:
            return (1, 1)
        for part in loc:
            child, _ = _child(node, part)
            if child is None:
                break
            node = child
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def locate_key(self, loc: Iterable[str | int]) -> tuple[int, int]:
        """Return the position of the mapping key at `loc` (for unknown-key messages)."""
        parts = list(loc)
        node = self.root
        for part in parts[:-1]:
            child, _ = _child(node, part) if node is not None else (None, None)
            if child is None:
                return self.locate(parts)
            node = child
        if isinstance(node, yaml.MappingNode) and parts:
            for key_node, _value in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(parts[-1]):
                    return (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return self.locate(parts)


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return value_node, key_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], None
    return None, None


def _problem(file: str, mark: yaml.Mark | None, message: str) -> KnowledgeBaseProblem:
    if mark is None:
        return KnowledgeBaseProblem(file, 1, 1, "", message)
    return KnowledgeBaseProblem(file, mark.line + 1, mark.column + 1, "", message)


def _walk(node: yaml.Node, seen: set[int]) -> Iterator[yaml.Node]:
    """Yield each distinct node once (aliases share node objects)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                stack.extend((key_node, value_node))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expanded_size(root: yaml.Node) -> int | None:
    """Count the nodes once every alias is expanded (memoised), or None when an alias loops."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            on_path.discard(id(node))
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
            continue
        if id(node) in sizes:
            continue
        if id(node) in on_path:
            return None
        on_path.add(id(node))
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def shown(text: str) -> str:
    r"""Text as a message shows it: quoted and escaped (`repr`), and cut short when long.

    Examples:
        >>> print(shown("a\tb"))
        'a\tb'
        >>> print(shown("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin"))
        'root:x:0:0:root:/root:/bin/bash\n...' (61 characters)
    """
    if len(text) <= _SHOWN:
        return repr(text)
    return repr(text[: _SHOWN - 8])[:-1] + f"...' ({len(text):,} characters)"


_INFINITY = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")


def _number_problem(node: yaml.ScalarNode, value: object) -> str | None:
    """Whether a number is beyond what a float holds (a 400-digit bound, `1.0e+400`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    too_large = (
        abs(value) > sys.float_info.max
        if isinstance(value, int)
        else math.isinf(value) and not _INFINITY.match(node.value)
    )
    if not too_large:
        return None
    return f"the number {shown(node.value)} is too large: numbers must lie within about ±1.8e308"


def _tag_problems(file: str, root: yaml.Node, loader: yaml.SafeLoader) -> list[KnowledgeBaseProblem]:
    problems = []
    for node in _walk(root, set()):
        if node.tag in _REFUSED_TAGS:
            tag = _REFUSED_TAGS[node.tag]
            message = f"the {tag} tag is not allowed; write plain text, numbers, lists or mappings"
            problems.append(_problem(file, node.start_mark, message))
        elif isinstance(node, yaml.ScalarNode) and node.tag in _TYPED_SCALARS:
            try:
                value = loader.construct_object(node)
            except Exception:  # noqa: BLE001 - PyYAML raises ValueError, IndexError, KeyError... for such text
                message = f"{shown(node.value)} cannot be read as {_TYPED_SCALARS[node.tag]}"
                problems.append(_problem(file, node.start_mark, message))
                continue
            if (number := _number_problem(node, value)) is not None:
                problems.append(_problem(file, node.start_mark, number))
    return problems


def _duplicate_keys(file: str, root: yaml.Node) -> list[KnowledgeBaseProblem]:
    problems = []
    for node in _walk(root, set()):
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[str, yaml.Node] = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in first:
                line = first[key_node.value].start_mark.line + 1
                problems.append(
                    _problem(
                        file,
                        key_node.start_mark,
                        f"duplicate key {key_node.value!r} (first given on line {line})",
                    )
                )
            else:
                first[key_node.value] = key_node
    return problems


def _reader_problem(file: str, text: str, exc: yaml.reader.ReaderError) -> KnowledgeBaseProblem:
    """A character PyYAML refuses (a control character, say), located by its position."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, int) else ord(exc.character)
    message = f"YAML syntax error: character #x{character:04x} is not allowed in YAML text; remove it"
    return KnowledgeBaseProblem(file, line, column, "", message)


def _document_problems(
    file: str, root: yaml.Node, loader: yaml.SafeLoader, *, aliases: bool = True
) -> list[KnowledgeBaseProblem]:
    """What makes a parsed document unfit before any value is built.

    Alias loops and bombs (looked for only when the document has `aliases`), duplicate keys,
    refused tags, and typed values that do not fit their tag or a float.
    """
    size = _expanded_size(root) if aliases else 0
    if size is None:
        message = "an alias refers to a node that contains it (a loop); write the content out instead"
        return [_problem(file, root.start_mark, message)]
    if size > MAX_EXPANDED_NODES:
        message = (
            f"the document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases; "
            "write the content out instead of nesting aliases"
        )
        return [_problem(file, root.start_mark, message)]
    return _duplicate_keys(file, root) + _tag_problems(file, root, loader)


def _syntax_problem(file: str, exc: yaml.MarkedYAMLError) -> KnowledgeBaseProblem:
    """PyYAML's error, located, with plain words where its own are jargon."""
    mark = exc.problem_mark or exc.context_mark
    reason = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context and exc.context_mark is not None:
        start = exc.context_mark
        reason += f" ({exc.context} started at line {start.line + 1}, column {start.column + 1})"
    if "expected <block end>" in reason or "mapping values are not allowed here" in reason:
        reason += "; check the indentation: entries of one list or mapping must line up"
    if "'\\t'" in str(exc.problem):
        reason = "a tab character; YAML is indented with spaces, never tabs"
    if isinstance(exc, yaml.constructor.ConstructorError):
        reason = f"{reason}; only plain YAML (mappings, lists, text, numbers, booleans) is allowed"
    return _problem(file, mark, f"YAML syntax error: {reason}")


#: Nesting deeper than this is reported where it starts once the composer gives up on a document.
DEEPEST = 100


def _too_deep(file: str, text: str) -> KnowledgeBaseProblem | None:
    """Where nesting first goes past DEEPEST levels, if it does before the text breaks.

    The event parser keeps no call stack and stops at the first level too many, so this is quick
    however deep the document goes.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > DEEPEST:
                    message = f"YAML nested too deeply (more than {DEEPEST} levels); write it flatter"
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                    return KnowledgeBaseProblem(file, line, column, "", message)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # broken before it is too deep: the syntax error is the one to report
    return None


@dataclass(frozen=True, slots=True)
class _Scan:
    """What one pass over the events found: a problem of size or depth, and whether there are aliases."""

    problem: KnowledgeBaseProblem | None = None
    aliases: bool = True


def _at(file: str, event: yaml.Event, message: str) -> KnowledgeBaseProblem:
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return KnowledgeBaseProblem(file, line, column, "", message)


def _scan(text: str, file: str, loader: type[yaml.SafeLoader] | None = None) -> _Scan:
    """Count the nodes and the depth of a document from its events, stopping at the first limit passed.

    The event parser builds no tree and keeps no call stack, so this takes time in proportion to
    what it reads, at most MAX_NODES nodes. A syntax error stops the scan without a problem: the
    composer then reports it, with its own position and words. libyaml's scanner reads flow
    collections ahead and gives up at 1,000 levels; PyYAML's parser then finds the level too many.
    """
    nodes = depth = 0
    aliases = False
    fast = loader is None and _FAST is not None
    try:
        for event in yaml.parse(text, Loader=_FastLoader if fast else (loader or _Loader)):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            nodes += 1
            aliases = aliases or isinstance(event, yaml.AliasEvent)
            if nodes > MAX_NODES:
                message = (
                    f"the document has more than {MAX_NODES:,} nodes (values, lists and mappings); "
                    "split it into smaller files"
                )
                return _Scan(_at(file, event, message))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    message = f"YAML nested too deeply (more than {MAX_DEPTH} levels); write it flatter"
                    return _Scan(_at(file, event, message))
    except yaml.MarkedYAMLError as exc:
        if fast and "maximum nesting depth" in str(exc.problem):
            return _scan(text, file, _Loader)
        return _Scan()  # broken: the composer reports where
    except yaml.YAMLError:
        return _Scan()  # likewise
    return _Scan(aliases=aliases)


def read_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[KnowledgeBaseProblem]]:
    """Parse one YAML document safely.

    The document's size and depth are checked first, from its events (`MAX_NODES`, `MAX_DEPTH`).
    libyaml parses when it is installed; a document it cannot read is read again by PyYAML's own
    parser, whose messages (and positions) are the ones reported, so both paths say the same.
    A document nested so deeply that composing it runs out of stack is a located problem too.

    Args:
        text: The file's text.
        file: The name to report in problems.

    Returns:
        The document (None when it could not be read) and the problems found while reading.
    """
    scan = _scan(text, file)
    if scan.problem is not None:
        return None, [scan.problem]
    try:
        return _read_yaml(text, file, aliases=scan.aliases)
    except RecursionError:
        deep = _too_deep(file, text)
        return None, [deep or _problem(file, None, "YAML nested too deeply; write it flatter")]


def _read_yaml(
    text: str, file: str, *, aliases: bool = True
) -> tuple[YamlDocument | None, list[KnowledgeBaseProblem]]:
    if _FAST is not None:
        loader = _FastLoader(text)
        try:
            root = loader.get_single_node()
            if root is not None and not _document_problems(file, root, loader, aliases=aliases):
                return YamlDocument(file, loader.construct_document(root), root), []
            if root is None:
                return YamlDocument(file, None, None), []
        except yaml.YAMLError:
            pass  # read again below, for PyYAML's located message (nesting past libyaml's limit
            # of 1,000 levels never gets here: `_scan` refuses it at MAX_DEPTH)
        finally:
            loader.dispose()
    return _read_yaml_python(text, file)


def _read_yaml_python(text: str, file: str) -> tuple[YamlDocument | None, list[KnowledgeBaseProblem]]:  # noqa: PLR0911 - one exit per way reading can end
    """Parse one YAML document safely.

    Args:
        text: The file's text.
        file: The name to report in problems.

    Returns:
        The document (None when it could not be read) and the problems found while reading.
    """
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(file, text, exc)]
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(file, None, None), []
        problems = _document_problems(file, root, loader)
        if problems:
            return None, problems
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(file, exc)]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(file, text, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for text input
        return None, [_problem(file, None, f"YAML error: {exc}")]
    finally:
        loader.dispose()
    return YamlDocument(file, data, root), []
