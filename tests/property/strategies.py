"""Hypothesis strategies over the default knowledge base."""

from __future__ import annotations

from hypothesis import strategies as st

import diagnose

KB = diagnose.load_knowledge_base()


def answer(item: diagnose.Item) -> st.SearchStrategy[int | str]:
    """A valid answer to one item: on its scale, or a missing reason."""
    return st.one_of(
        st.integers(item.scale.min, item.scale.max),
        st.sampled_from(["not_asked", "declined", "unknown"]),
    )


@st.composite
def answers(draw: st.DrawFn, kb: diagnose.KnowledgeBase = KB) -> dict[str, int | str]:
    """A valid answer mapping: any subset of the items, each answered or missing."""
    chosen = draw(st.lists(st.sampled_from(kb.items), unique_by=lambda i: i.id))
    return {item.id: draw(answer(item)) for item in chosen}
