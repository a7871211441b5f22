"""Pure domain models beyond the render spec (no I/O)."""
