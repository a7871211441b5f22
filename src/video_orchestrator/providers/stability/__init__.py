"""Stability AI Stable Image (``/v2beta/stable-image/generate``)."""
