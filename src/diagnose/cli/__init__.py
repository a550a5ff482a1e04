"""The `diagnose` command (`diagnose.cli:main`); one module per command group."""

from diagnose.cli._main import cli, main

__all__ = ["cli", "main"]


def __dir__() -> list[str]:
    return list(__all__)
