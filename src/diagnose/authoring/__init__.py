"""Tools for the authors of a knowledge base: checks, rule analysis, catalogue, what-if.

The fairness guard that runs while loading is `diagnose.knowledge.fairness`.
"""
