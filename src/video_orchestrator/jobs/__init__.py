"""Render jobs: the workload (small versioned data) and the executors that run workloads —
local worker processes by default, threads, Celery for many machines.

The executor interface is shaped like Airflow's: ``start`` · ``submit`` · ``sync`` ·
``cancel`` · ``end``. The database is the source of truth; executors only move work. They are
handed the work to run (``work.py``: a ``MakeRunner``) and import nothing of ``services``.
"""
