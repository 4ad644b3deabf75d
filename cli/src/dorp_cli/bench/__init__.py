"""``dorp bench``: figures measured the same way every time, never part of the tests.

Each benchmark returns :class:`~dorp_cli.bench.figures.Figure` records (name, value, unit and,
where one was measured in the same run, the ceiling and the ratio), printed as a table and
written as JSON, so ``docs/benchmarks.md`` can be regenerated from them.
"""
