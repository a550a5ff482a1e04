"""Hypothesis strategies over the default knowledge base."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import strategies as st

from tests.conftest import default_kb

if TYPE_CHECKING:
    import diagnose


def answer(item: diagnose.Item) -> st.SearchStrategy[int | str]:
    """A valid answer to one item: on its scale, or a missing reason."""
    return st.one_of(
        st.integers(item.scale.min, item.scale.max),
        st.sampled_from(["not_asked", "declined", "unknown"]),
    )


@st.composite
def answers(draw: st.DrawFn, kb: diagnose.KnowledgeBase | None = None) -> dict[str, int | str]:
    """A valid answer mapping: any subset of the items, each answered or missing.

    The items are those of `kb`, or of the default knowledge base (read on first draw) when None.
    """
    kb = default_kb() if kb is None else kb
    chosen = draw(st.lists(st.sampled_from(kb.items), unique_by=lambda i: i.id))
    return {item.id: draw(answer(item)) for item in chosen}
