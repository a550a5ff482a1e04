"""MkDocs hooks: pages generated from the library itself at build time, so they cannot drift.

* `<!-- generated: catalogue -->` becomes the packaged knowledge base as a catalogue (Dutch, with
  English alongside), rendered by `diagnose.catalog.render_markdown` from `rules/`.
* `<!-- generated: cli -->` becomes the help text of every `diagnose` command.
* `<!-- generated: chart -->` becomes a before/after profile chart of two real assessments.
"""

from __future__ import annotations

from typing import Any

import click

import diagnose
from diagnose.catalog import render_markdown
from diagnose.cli import cli

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


def on_page_markdown(markdown: str, **_: Any) -> str:  # noqa: ANN401 - MkDocs passes page, config, files
    """MkDocs hook: expand the markers of each page."""
    return expand(markdown)
