"""Analytics computations: experiment statistics, predictions, experiment design (ADR 0028).

Pure: plain data in, frozen values out; no settings, no I/O, no database, no clock (Monte
Carlo and tie-breaks are seeded). Imports only ``errors`` and numpy / scipy / scikit-learn.
Services feed it stored metrics and show its results.

- ``experiment``: :func:`~experiment.analyse_experiment` — an A/B(/n) test at a fixed post
  age: chance to beat the control, expected loss, the lift's interval, the frequentist
  cross-check with Holm, sample-ratio and minimum-sample checks, a decision and a sentence;
  :func:`~experiment.prior_sd_from` learns the prior from a user's past comparisons.
- ``predict`` (with ``features``): :func:`~predict.train_forecaster` — views and average
  view duration of a draft, each with its cross-validated error; refuses with too little data.
- ``posting_times``: :func:`~posting_times.best_posting_times` — time cells ranked with
  shrinkage toward the account's mean, with the evidence per cell.
- ``design``: :func:`~design.design_variants` — the variant matrix (full, a balanced
  main-effects fraction, or one factor at a time); ``plan``: :func:`~plan.posting_plan` —
  variants to posting slots, balanced over weekday, hour and account.
- ``power``: :func:`~power.posts_per_variant` — posts each variant needs to detect a lift.
- ``feedback``: :func:`~feedback.propose_hook_weights`, :func:`~feedback.propose_defaults` —
  what the results suggest changing, with the evidence; never applied here.
- ``stats``: the shared building blocks (Holm, Welch, z, χ²).
"""
