"""Tools for the authors of a knowledge base: checks, rule analysis, fairness guard, catalogue, what-if."""
