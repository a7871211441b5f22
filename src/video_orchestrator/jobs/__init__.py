"""Render jobs: the workload (small versioned data), the runner that does one job, and the
executors that run workloads — local worker processes by default, Celery for many machines.

The executor interface is shaped like Airflow's: ``start`` · ``submit`` · ``sync`` ·
``cancel`` · ``end``. The database is the source of truth; executors only move work.
"""
