"""Step 1 of the cycle, intake and diagnosis: checked answers, factor scores, advice.

`scoring` checks and scores the answers, `preferences` holds what the client wants,
`recommendation` applies the rules and assembles the `Diagnosis` (`assess`).
"""
