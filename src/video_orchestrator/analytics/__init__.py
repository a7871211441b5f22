"""Analytics computations: experiment statistics, predictions, experiment design (ADR 0028).

Pure: plain data in, frozen values out; no settings, no I/O, no database. Imports only
``errors`` and numpy / scipy / scikit-learn. Services feed it stored metrics and show its
results.

- ``experiment``: :func:`analyse_experiment` — an A/B(/n) test at a fixed post age.
- ``stats``: the shared statistical building blocks (Holm, Welch, z, χ²).
"""
