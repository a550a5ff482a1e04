"""MkDocs hooks: pages generated from the library itself at build time, so they cannot drift.

* `<!-- generated: catalogue -->` becomes the packaged knowledge base as a catalogue (Dutch, with
  English alongside), rendered by `diagnose.catalog.render_markdown` from `rules/`.
* `<!-- generated: cli -->` becomes the help text of every `diagnose` command.
"""

from __future__ import annotations

from typing import Any

import click

import diagnose
from diagnose.catalog import render_markdown
from diagnose.cli import cli

CATALOGUE = "<!-- generated: catalogue -->"
CLI = "<!-- generated: cli -->"


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
    return markdown


def on_page_markdown(markdown: str, **_: Any) -> str:  # noqa: ANN401 - MkDocs passes page, config, files
    """MkDocs hook: expand the markers of each page."""
    return expand(markdown)
