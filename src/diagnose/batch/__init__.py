"""Many intakes at once: in worker processes, as diagnoses or as JSON Lines, from tables, on dask.

Examples:
    >>> import diagnose
    >>> intake = {"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4, "mo_3": 1}
    >>> [d.recommendations[0].intervention for d in assess_many([intake])]
    ['success_experiences']
"""

from diagnose.batch._dask import DaskError, assess_dask
from diagnose.batch._many import assess_many, assess_many_json

__all__ = ["DaskError", "assess_dask", "assess_many", "assess_many_json"]


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
