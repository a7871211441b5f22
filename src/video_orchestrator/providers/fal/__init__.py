"""FLUX on fal.ai through its queue API."""
