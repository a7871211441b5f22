"""Argos Translate, the offline translator of language versions (the ``translate`` extra)."""
