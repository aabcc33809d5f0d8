"""SurveyJS `visibleIf` expressions that compare one earlier answer with a constant, as our
follow-up rules (`question_rules`): `{nps} <= 6`, `{nps} >= 9 and {nps} <= 10`,
`{plan} = 'pro'`, `{plan} anyof ['a', 'b']`, `{feat} contains 'x'`...

Anything else (two questions, `!=`, `notempty`, functions, arithmetic) is not mapped: the
reader says why, and the question is imported without a rule (always shown). A small parser
of SurveyJS's expression syntax, enough to tell the two apart; it never evaluates anything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..messages import N_, Message
from ..question_types import CHOICE_TYPES, option_values, scale_of

MAX_EXPRESSION = 1000  # characters read; longer expressions are reported, not parsed
MAX_DEPTH = 20  # parentheses inside parentheses

# SurveyJS's operators, by each of their spellings (case-insensitive words).
COMPARISONS = {
    "=": "=",
    "==": "=",
    "equal": "=",
    "!=": "!=",
    "<>": "!=",
    "notequal": "!=",
    "<": "<",
    "less": "<",
    "<=": "<=",
    "=<": "<=",
    "lessorequal": "<=",
    ">": ">",
    "greater": ">",
    ">=": ">=",
    "=>": ">=",
    "greaterorequal": ">=",
    "contains": "contains",
    "contain": "contains",
    "notcontains": "notcontains",
    "notcontain": "notcontains",
    "anyof": "anyof",
    "allof": "allof",
}
UNARY = {"empty", "notempty"}
KEYWORDS = {"and", "or", "not", "true", "false"}
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}

TOKEN = re.compile(
    r"""\s*(?:
        (?P<variable>\{[^{}]*\})
      | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<symbol><=|>=|=<|=>|==|!=|<>|&&|\|\||[=<>()\[\],!+\-*/%^])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


class Unmapped(Exception):
    """Why an expression does not become a rule: an English `Message`."""

    def __init__(self, why: Message):
        super().__init__(why)
        self.why = why


@dataclass
class Comparison:
    name: str  # the SurveyJS question name inside {…}
    op: str  # =, <, <=, >, >=, contains, anyof, allof (others are refused while parsing)
    values: list  # the constant(s): numbers or strings


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(expression):
        if not expression[position:].strip():
            break
        match = TOKEN.match(expression, position)
        if match is None:
            raise Unmapped(N_("it is not an expression Parcours can read"))
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "word":
            lowered = value.lower()
            if lowered in KEYWORDS or lowered in COMPARISONS or lowered in UNARY:
                kind, value = "op", lowered
        elif kind == "symbol":
            value = {"&&": "and", "||": "or", "!": "not"}.get(value, value)
            kind = "op" if value in COMPARISONS or value in ("and", "or", "not") else kind
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    """expression := term (or term)*; term := factor (and factor)*;
    factor := ( expression ) | operand comparison operand | operand empty|notempty."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.index, self.depth = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise Unmapped(N_("it is not an expression Parcours can read"))
        self.index += 1
        return token

    def parse(self):
        tree = self.expression()
        if self.peek() is not None:
            raise Unmapped(N_("it is not an expression Parcours can read"))
        return tree

    def expression(self):
        parts = [self.term()]
        while self.peek() == ("op", "or"):
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def term(self):
        parts = [self.factor()]
        while self.peek() == ("op", "and"):
            self.take()
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def factor(self):
        token = self.peek()
        if token == ("symbol", "("):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise Unmapped(N_("it is not an expression Parcours can read"))
            inner = self.expression()
            self.depth -= 1
            if self.take() != ("symbol", ")"):
                raise Unmapped(N_("it is not an expression Parcours can read"))
            return inner
        if token == ("op", "not"):
            raise Unmapped(N_("“not” has no equivalent: a rule says which answers show it"))
        left = self.operand()
        kind, op = self.take()
        if kind != "op" or op in ("and", "or", "not"):
            raise Unmapped(N_("it is not a comparison of an answer with a value"))
        if op in UNARY:
            raise Unmapped(
                N_("“%(op)s” has no equivalent: a rule says which answers show it", op=op)
            )
        op = COMPARISONS[op]
        right = self.operand()
        return _comparison(left, op, right)

    def operand(self):
        kind, value = self.take()
        if kind == "variable":
            return ("variable", value[1:-1].strip())
        if kind in ("number", "string") or (kind == "op" and value in ("true", "false")):
            return ("value", _constant(kind, value))
        if kind == "symbol" and value == "[":
            items = []
            while self.peek() != ("symbol", "]"):
                item_kind, item = self.take()
                if item_kind not in ("number", "string"):
                    raise Unmapped(N_("it is not a comparison of an answer with a value"))
                items.append(_constant(item_kind, item))
                if self.peek() == ("symbol", ","):
                    self.take()
            self.take()
            return ("list", items)
        if kind == "word" and self.peek() == ("symbol", "("):
            raise Unmapped(N_("functions such as %(name)s() have no equivalent", name=value))
        if kind == "word":  # SurveyJS reads a bare word as text
            return ("value", value)
        raise Unmapped(N_("it is not a comparison of an answer with a value"))


def _constant(kind: str, value: str):
    if kind == "number":
        number = float(value)
        if not math.isfinite(number):
            raise Unmapped(N_("it is not an expression Parcours can read"))
        return int(number) if number.is_integer() else number
    if kind == "op":
        return value == "true"
    return re.sub(r"\\(.)", r"\1", value[1:-1])


def _comparison(left, op: str, right) -> Comparison:
    if left[0] != "variable" and right[0] == "variable":
        if op not in FLIPPED:
            raise Unmapped(N_("it is not a comparison of an answer with a value"))
        left, op, right = right, FLIPPED[op], left
    if left[0] != "variable":
        raise Unmapped(N_("it compares no answer"))
    if right[0] == "variable":
        raise Unmapped(N_("it compares two answers; a rule compares one answer with a value"))
    if op == "!=":
        raise Unmapped(N_("“not equal” has no equivalent: a rule says which answers show it"))
    if op == "notcontains":
        raise Unmapped(N_("“notcontains” has no equivalent: a rule says which answers show it"))
    values = right[1] if right[0] == "list" else [right[1]]
    return Comparison(left[1], op, values)


def parse(expression: str):
    """The expression's tree: Comparison, ("and", [...]) or ("or", [...]).

    Raises Unmapped when it is not made of comparisons of answers with constants."""
    if len(expression) > MAX_EXPRESSION:
        raise Unmapped(N_("it is longer than %(count)s characters", count=MAX_EXPRESSION))
    return _Parser(_tokens(expression)).parse()


def _flat(tree, kind: str) -> list[Comparison]:
    """The comparisons of a tree that is one comparison or only `kind` (and / or)."""
    if isinstance(tree, Comparison):
        return [tree]
    if tree[0] != kind:
        raise Unmapped(N_("it mixes “and” and “or”"))
    return [c for part in tree[1] for c in _flat(part, kind)]


def _score_range(comparison: Comparison, scale: tuple[int, int]) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    if comparison.op not in ("=", "<", "<=", ">", ">="):
        raise Unmapped(N_("“%(op)s” does not compare a score with a number", op=comparison.op))
    if len(comparison.values) != 1 or not _is_number(comparison.values[0]):
        raise Unmapped(N_("a score is compared with a number"))
    value = float(comparison.values[0])
    if not math.isfinite(value):
        raise Unmapped(N_("a score is compared with a number"))
    if comparison.op == "=":
        low = high = value
    elif comparison.op == "<":
        high = math.ceil(value) - 1
    elif comparison.op == "<=":
        high = math.floor(value)
    elif comparison.op == ">":
        low = math.floor(value) + 1
    else:
        low = math.ceil(value)
    return low, high


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()) is not None


def _score_rule(key: str, comparisons: list[Comparison], joined: str, scale) -> dict:
    if joined == "or" and len(comparisons) > 1:
        raise Unmapped(N_("“or” between scores has no equivalent: a rule is one range"))
    low, high = scale
    for comparison in comparisons:
        first, last = _score_range(comparison, scale)
        low, high = max(low, first), min(high, last)
    if low > high or low != int(low) or high != int(high):
        raise Unmapped(
            N_(
                "no score from %(low)s to %(high)s makes it true",
                low=scale[0],
                high=scale[1],
            )
        )
    return {"question": key, "op": "between", "min": int(low), "max": int(high)}


# The operators that pick answers of each kind of choice question.
CHOICE_OPS = {"single_choice": ("=", "anyof"), "multi_choice": ("contains", "anyof")}


def _choice_rule(key: str, question, comparisons: list[Comparison], joined: str) -> dict:
    if joined == "and" and len(comparisons) > 1:
        raise Unmapped(N_("“and” between choices has no equivalent: a rule picks any of them"))
    kind = "multi_choice" if question.type == "multi_choice" else "single_choice"
    allowed = option_values(question.type, question.options)
    wanted = []
    for comparison in comparisons:
        op = comparison.op
        if op == "allof" and kind == "multi_choice" and len(comparison.values) == 1:
            op = "anyof"  # all of one choice: that choice
        if op not in CHOICE_OPS[kind]:
            raise Unmapped(N_("“%(op)s” has no equivalent on this question", op=comparison.op))
        wanted += [str(v) for v in comparison.values if not isinstance(v, bool)]
    # A value that is none of the choices can never be the answer: leaving it out keeps
    # the meaning; none left and the question would never be shown.
    values = [v for v in allowed if v in wanted]
    if not values:
        raise Unmapped(N_("none of its values is one of the question's choices"))
    return {"question": key, "op": "in", "values": values}


def to_rule(expression, earlier: dict[str, object], later: set[str]) -> dict:
    """Our rule for a `visibleIf` expression. `earlier` maps SurveyJS names of the questions
    imported before this one to their QuestionSpec; `later` holds the other names of the
    survey. Raises Unmapped with the reason it cannot be one."""
    if not isinstance(expression, str) or not expression.strip():
        raise Unmapped(N_("it is not an expression Parcours can read"))
    tree = parse(expression)
    joined = "and" if isinstance(tree, Comparison) else tree[0]
    comparisons = _flat(tree, joined)
    names = {c.name for c in comparisons}
    if len(names) > 1:
        raise Unmapped(N_("it depends on several questions; a rule depends on one earlier answer"))
    name = names.pop()
    question = earlier.get(name)
    if question is None:
        if name in later:
            raise Unmapped(
                N_("“%(name)s” comes later; a rule depends on an earlier answer", name=name)
            )
        raise Unmapped(N_("“%(name)s” is not an imported question", name=name))
    scale = scale_of(question.type, question.settings)
    if scale is not None:
        return _score_rule(question.key, comparisons, joined, scale)
    if question.type in (*CHOICE_TYPES, "emotion"):
        return _choice_rule(question.key, question, comparisons, joined)
    raise Unmapped(
        N_("“%(name)s” is a text question; a rule depends on a score or a choice", name=name)
    )
