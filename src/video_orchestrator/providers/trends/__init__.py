"""Trend sources (ADR 0030): one module per service, all over the one transport (``_http``)."""
