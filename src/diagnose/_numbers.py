"""Numbers as each language writes them: Dutch uses a decimal comma (`1,50`), English a point."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diagnose._base import Language

__all__ = ["number"]


def number(value: float, language: Language, spec: str = "g") -> str:
    """Format `value` with the format `spec`, with the decimal separator of `language`.

    Examples:
        >>> number(1.5, "nl", ".2f"), number(1.5, "en", ".2f"), number(3.75, "nl")
        ('1,50', '1.50', '3,75')
    """
    text = format(value, spec)
    return text.replace(".", ",") if language == "nl" else text
