"""MkDocs hooks: pages generated from the library itself at build time, so they cannot drift.

* `<!-- generated: catalogue -->` becomes the packaged knowledge base as a catalogue (Dutch, with
  English alongside), rendered by `diagnose.authoring.catalog.render_markdown` from `rules/`.
* `<!-- generated: cli -->` becomes the help text of every `diagnose` command.
* `<!-- generated: chart -->` becomes a before/after profile chart of two real assessments.

And two touches to the built HTML:

* a page with front matter `lang: nl` gets `<html lang="nl">` (the theme's language, `en`, is
  the site's; screen readers and hyphenation need the page's own);
* on a page with front matter `labelled_tables: true` every table cell gets a `data-label`
  naming its column, so that docs/stylesheets/extra.css can show each row as a card with the
  column names on a narrow screen, and its tables get `data-catalogue` for their wide layout.
"""

from __future__ import annotations

import html
import re
from typing import Any

import click
from mkdocs.exceptions import PluginError

import diagnose
from diagnose.authoring.catalog import render_markdown
from diagnose.cli._main import cli

CATALOGUE = "<!-- generated: catalogue -->"
CLI = "<!-- generated: cli -->"
CHART = "<!-- generated: chart -->"
#: The intake and a later measurement drawn on the cycle page (items left out are not asked).
BEFORE = {
    "se_1": 1,
    "se_2": 2,
    "se_3": 1,
    "mo_1": 5,
    "mo_2": 4,
    "he_1": 4,
    "he_2": 2,
    "he_3": 4,
    "fi_1": 2,
    "fi_2": 2,
    "fi_3": 4,
}
AFTER = {**BEFORE, "se_1": 3, "se_2": 3, "se_3": 3, "fi_1": 1, "fi_2": 2}


def cli_reference() -> str:
    """Every command's help, as the command line prints it."""
    context = click.Context(cli, info_name="diagnose")
    parts = ["## diagnose", "", "```text", cli.get_help(context), "```", ""]
    for name in sorted(cli.list_commands(context)):
        command = cli.get_command(context, name)
        if command is None:  # pragma: no cover - every listed command exists
            continue
        sub = click.Context(command, info_name=name, parent=context)
        parts += [f"## diagnose {name}", "", "```text", command.get_help(sub), "```", ""]
    return "\n".join(parts)


def expand(markdown: str) -> str:
    """Replace the generation markers of a page."""
    if CATALOGUE in markdown:
        catalogue = render_markdown(
            diagnose.load_knowledge_base(diagnose.default_knowledge_base_path()), "nl"
        )
        markdown = markdown.replace(CATALOGUE, catalogue.split("\n", 1)[1])  # the page has its own title
    if CLI in markdown:
        markdown = markdown.replace(CLI, cli_reference())
    if CHART in markdown:
        kb = diagnose.load_knowledge_base(diagnose.default_knowledge_base_path())
        before = diagnose.assess(BEFORE, knowledge_base=kb).profile
        after = diagnose.assess(AFTER, knowledge_base=kb).profile
        svg = diagnose.profile_chart(kb, after, before=before, language="en", size=480)
        markdown = markdown.replace(CHART, f'<div class="profile-chart">{svg}</div>')
    return markdown


_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
_HEADER = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CELL = re.compile(r"<td(?=[ >])")
_HTML_LANG = re.compile(r'<html lang="[^"]*"')


def label_cells(page_html: str) -> str:
    """Give every cell of every table a `data-label` with its column's header, as plain text.

    Examples:
        >>> head = "<thead><tr><th>id</th><th>naam <em>(name)</em></th></tr></thead>"
        >>> print(label_cells(f"<table>{head}<tbody><tr><td>a</td><td>b</td></tr></tbody></table>"))
        <table data-catalogue><thead>...<td data-label="id">a</td><td data-label="naam (name)">b</td>...
    """

    def table(match: re.Match[str]) -> str:
        body = match.group(1)
        labels = [html.escape(html.unescape(_TAG.sub("", h)).strip()) for h in _HEADER.findall(body)]

        def row(m: re.Match[str]) -> str:
            cells = iter(labels)
            labelled = _CELL.sub(lambda _: f'<td data-label="{next(cells, "")}"', m.group(1))
            return f"<tr>{labelled}</tr>"

        return f"<table data-catalogue>{_ROW.sub(row, body)}</table>"

    return _TABLE.sub(table, page_html)


def on_page_markdown(markdown: str, **_: Any) -> str:  # noqa: ANN401 - MkDocs passes page, config, files
    """MkDocs hook: expand the markers of each page."""
    return expand(markdown)


def on_page_content(html_text: str, page: Any, **_: Any) -> str:  # noqa: ANN401 - MkDocs objects
    """MkDocs hook: label table cells on pages that ask for it."""
    return label_cells(html_text) if page.meta.get("labelled_tables") else html_text


def on_post_page(output: str, page: Any, **_: Any) -> str:  # noqa: ANN401 - MkDocs objects
    """MkDocs hook: a page with front matter `lang: xx` gets `<html lang="xx">`."""
    lang = page.meta.get("lang")
    if not lang:
        return output
    if not re.fullmatch(r"[a-z]{2}", str(lang)):
        msg = f"{page.file.src_uri}: front matter lang: expected a two-letter language code, got {lang!r}"
        raise PluginError(msg)
    return _HTML_LANG.sub(f'<html lang="{lang}"', output, count=1)
