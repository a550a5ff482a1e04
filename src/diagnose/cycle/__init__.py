"""Steps 2 to 4 of the cycle: the plan, monitoring and adjusting, and the evaluation.

`trajectory` holds a client's whole path, `plan` makes a plan from a diagnosis, `monitoring`
compares measurements and reviews the plan, `evaluation` looks back (also over a caseload).
"""
