"""Every string a person reads is marked for translation, and French has all of them.

Three checks that fail on the day someone adds an unmarked string or forgets its French:
- templates: the text and the readable attributes left once the marked parts (`_()`,
  `{% trans %}`) and the expressions are taken out; string literals in expressions that read
  like prose;
- Python: flash messages, form labels and validator messages given as bare strings;
- the catalog: what `pybabel extract` finds (the same mapping, babel.cfg) against the French
  catalog: every message translated, none fuzzy, the same placeholders on both sides.
Content marked `translate="no"` (HTML's own attribute) is left out: codes, examples, names.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

from surveys import i18n

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOG = i18n.TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "N_": None,  # surveys.messages: English for the API, translated on pages
}

# Words that are the same in both languages: the product, acronyms, formats.
SAME_IN_BOTH = {"Parcours", "SurveyJS", "OpenAPI", "English", "Français", "Redis", "RQ"}
ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+s?$")  # NPS, CSAT, CES, CSV, XLSX, PDF, QR, API, UTC
WORD = re.compile(r"[^\W\d_]{2,}")
READABLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-roledescription", "label"}
BUTTON_TYPES = {"submit", "button", "reset"}
UNREAD = {"script", "style", "code", "pre", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# String literals in expressions that are not prose: class names and the like.
NOT_PROSE = {"button primary", "button secondary", "button danger", "button link", "link danger"}
PROSE = re.compile(r"[^\W\d_]{2,}(?:[ ’'][^\W\d_]+)+")
TRANSLATING_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l"}


def needs_translation(text: str) -> bool:
    words = WORD.findall(text)
    return any(w not in SAME_IN_BOTH and not ACRONYM.match(w) for w in words)


class _Text(HTMLParser):
    """Collects (line, text) a reader sees, outside unread and translate="no" elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        skipped = tag in UNREAD or values.get("translate") == "no"
        if not (skipped or self._skipping()):
            line = self.getpos()[0]
            for name, value in attrs:
                readable = name in READABLE_ATTRIBUTES or (
                    name == "value" and tag == "input" and values.get("type") in BUTTON_TYPES
                )
                if readable and value and needs_translation(value):
                    self.found.append((line, f'{name}="{value}"'))
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping() and needs_translation(data):
            self.found.append((self.getpos()[0], " ".join(data.split())))


def _blank(match: re.Match) -> str:
    """A Jinja construct replaced by a mark with no letters, keeping the line count."""
    return "§" + "\n" * match.group(0).count("\n")


def unmarked_in_template(source: str) -> list[tuple[int, str]]:
    text = re.sub(r"\{#.*?#\}", _blank, source, flags=re.S)
    text = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", _blank, text, flags=re.S)
    # Blocks that fill a class attribute (body_class, main_class) hold names, not text.
    text = re.sub(r"\{%-?\s*block \w+_class\s*-?%\}.*?\{%-?\s*endblock", _blank, text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", _blank, text, flags=re.S)
    parser = _Text()
    parser.feed(text)
    parser.close()
    return parser.found + prose_literals(source)


def prose_literals(source: str) -> list[tuple[int, str]]:
    """String literals in expressions that read like prose and are not inside a gettext call."""
    found = []
    depth = 0
    translating: list[int] = []  # paren depths of open gettext calls
    previous_name = None
    for line, kind, value in Environment(extensions=["jinja2.ext.i18n"]).lex(source):
        if kind == "operator" and value == "(":
            depth += 1
            if previous_name in TRANSLATING_CALLS:
                translating.append(depth)
        elif kind == "operator" and value == ")":
            if translating and translating[-1] == depth:
                translating.pop()
            depth -= 1
        elif kind == "string" and not translating:
            literal = value.strip("'\"")
            if literal not in NOT_PROSE and PROSE.search(literal) and needs_translation(literal):
                found.append((line, repr(literal)))
        previous_name = value if kind == "name" else None
    return found


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_strings_are_marked_for_translation(path):
    unmarked = unmarked_in_template(path.read_text(encoding="utf-8"))
    assert not unmarked, "\n".join(
        f"{path.relative_to(ROOT)}:{line}: not marked for translation: {text}"
        for line, text in unmarked
    )


# Calls whose string arguments a person reads: flash(...), a form field's label, a
# validator's message, a ValidationError.
def _reads_strings(call: ast.Call) -> list[ast.expr]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    given = []
    if name in {"flash", "ValidationError"} or name.endswith("Field"):
        given += call.args[:1]
    given += [k.value for k in call.keywords if k.arg in {"label", "message", "description"}]
    return [
        node for node in given
        if isinstance(node, ast.JoinedStr)
        or (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and needs_translation(node.value))
    ]  # fmt: skip


def test_python_messages_are_marked_for_translation():
    unmarked = []
    for path in sorted((ROOT / "surveys").rglob("*.py")):
        # The API speaks its JSON contract in English (docs/api.md), the CLI to operators.
        if "migrations" in path.parts or "api" in path.parts or path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for bare in _reads_strings(node):
                    unmarked.append(f"{path.relative_to(ROOT)}:{bare.lineno}: {ast.unparse(bare)}")
    assert not unmarked, "not marked for translation:\n" + "\n".join(unmarked)


def extracted_messages() -> dict[str, str]:
    """msgid -> where it was found, as `pybabel extract -F babel.cfg` sees the sources."""
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def french_catalog():
    with open(CATALOG, "rb") as source:
        return read_po(source, locale="fr")


def test_french_catalog_translates_every_marked_string():
    catalog = french_catalog()
    problems = []
    for msgid, where in sorted(extracted_messages().items(), key=lambda item: item[1]):
        entry = catalog.get(msgid)
        if entry is None:
            problems.append(f"{where}: missing from the French catalog: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"{where}: fuzzy in the French catalog: {msgid!r}")
        elif not all(entry.string if isinstance(entry.string, tuple) else [entry.string]):
            problems.append(f"{where}: no French for {msgid!r}")
    assert not problems, (
        f"{len(problems)} problems (run `make update-translations`):\n" + "\n".join(problems)
    )


def test_french_catalog_keeps_the_placeholders():
    catalog = french_catalog()
    problems = [
        f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors
    ]
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\((\w+)\)s|\{(\w+)\}", ids[-1]))
        for string in strings:
            if set(re.findall(r"%\((\w+)\)s|\{(\w+)\}", string)) - wanted:
                problems.append(f"{message.id!r}: French names a placeholder English does not")
    assert not problems, "\n".join(problems)
