"""What `diagnose client` and `diagnose caseload` share: the store options, dates, output, language.

Every command works on the store given by `--store` (default: the `DIAGNOSE_STORE` environment
variable, else `./caseload.sqlite`, created when missing): a path for SQLite or a database URL.
Dates are passed in with `--as-of` (the library never reads the clock). Tables by default,
`--json` for machines, `--lang nl|en`. Every refusal is one line on standard error and exit 1.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from typing import TYPE_CHECKING, Any, Literal

import click
from pydantic import BaseModel
from rich.console import Console

from diagnose.assessment.recommendation import Diagnosis, assess
from diagnose.cli._cycle_show import STEP_NAMES
from diagnose.cli._io import Fail as _Fail
from diagnose.cli._io import kb_option, load, read_intake
from diagnose.cli._show import LEVEL_NAMES as SHOWN_LEVELS
from diagnose.errors import DiagnoseError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from diagnose._base import Language
    from diagnose.assessment.preferences import Preferences
    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "LEVEL_NAMES",
    "STEPS",
    "STORE_VARIABLE",
    "assess_file",
    "console",
    "date_option",
    "emit",
    "run_in_store",
    "say",
    "store_options",
]

#: Where the store is when --store is not given.
STORE_VARIABLE = "DIAGNOSE_STORE"
#: The store's event kinds, per language (the cycle's step names).
STEPS = STEP_NAMES
#: Each level's name, per language, and "-" for none.
LEVEL_NAMES = {lang: {**names, None: "-"} for lang, names in SHOWN_LEVELS.items()}


def console() -> Console:
    return Console(width=120 if not sys.stdout.isatty() else None)


def say(lang: Language, nl: str, en: str) -> str:
    return nl if lang == "nl" else en


def _read_day(
    ctx: click.Context, param: click.Parameter, value: str | None, *, required: bool
) -> dt.date | None:
    """A date option's value: missing (when required) or not a date is a usage error, exit 2.

    The words are those of the plain commands' `--as-of` (`diagnose plan`, `assess`), and click
    reads the options before the command runs, so a bad date never opens (or creates) the store.
    """
    name = param.opts[0] if param.opts else str(param.name)
    if value is None:
        if required:
            message = (
                f"Missing option '{name}': give the date as YYYY-MM-DD (the library never reads the clock)."
            )
            raise click.UsageError(message, ctx)
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"Invalid value for '{name}': expected a date as YYYY-MM-DD, got {value!r}."
        raise click.UsageError(message, ctx) from None


def date_option(name: str, help_text: str, *, required: bool = False) -> Callable[..., Any]:
    """A `YYYY-MM-DD` option read into a `datetime.date` (None when left out and not required)."""
    attribute = name.removeprefix("--").replace("-", "_")
    callback = functools.partial(_read_day, required=required)
    return click.option(name, attribute, metavar="YYYY-MM-DD", callback=callback, help=help_text)


def store_options(
    *,
    professional: bool = False,
    as_of: Literal["required", "optional"] | None = "required",
    output: bool = True,
) -> Callable[..., Any]:
    """The options of every store command: --store, --kb, and as asked --as-of, --professional, --json.

    `--as-of` is a `datetime.date` when given; "required" makes leaving it out a usage error.
    """

    def wrap(func: Callable[..., None]) -> Callable[..., None]:
        if output:
            func = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
                func
            )
            func = click.option(
                "--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language."
            )(func)
        if professional:
            func = click.option(
                "--professional", required=True, help="Your pseudonymous id, such as km-17 (never a name)."
            )(func)
        if as_of == "required":
            func = date_option("--as-of", "The date of this step (required).", required=True)(func)
        elif as_of == "optional":
            func = date_option("--as-of", "The date (optional).")(func)
        func = kb_option(func)
        return click.option(
            "--store",
            "store_path",
            envvar=STORE_VARIABLE,
            default="caseload.sqlite",
            show_default=True,
            help=f"The caseload store: a path (SQLite) or a database URL [env: {STORE_VARIABLE}].",
        )(func)

    return wrap


def run_in_store(func: Callable[..., None]) -> Callable[..., None]:
    """Open the store for a command, close it after, and turn every refusal into one line."""

    @functools.wraps(func)
    def wrapper(store_path: str, kb_path: Path | None, **kwargs: Any) -> None:  # noqa: ANN401 - click's values
        from diagnose.store import open_caseload  # noqa: PLC0415 - SQLAlchemy only for store commands

        kb = load(kb_path)
        try:
            with open_caseload(store_path, knowledge_base=kb) as store:
                func(store, kb, **kwargs)
        except DiagnoseError as exc:
            raise _Fail(str(exc)) from exc

    return wrapper


def emit(model: BaseModel | list[Any] | dict[str, Any]) -> None:
    if isinstance(model, BaseModel):
        click.echo(model.model_dump_json(indent=2))
    else:
        click.echo(json.dumps(model, indent=2, ensure_ascii=False, default=str))


def assess_file(
    file: str,
    kb: KnowledgeBase,
    day: dt.date,
    preferences: Preferences | None = None,
    participation_rung: int | None = None,
) -> Diagnosis:
    intake = read_intake(file)
    try:
        return assess(
            intake.answers,
            knowledge_base=kb,
            context=intake.context,
            as_of=day,
            preferences=preferences,
            participation_rung=participation_rung,
        )
    except DiagnoseError as exc:
        raise _Fail(f"{file}: {exc}") from exc
