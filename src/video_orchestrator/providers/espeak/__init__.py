"""espeak-ng, the last-resort offline voice (when the binary is installed)."""
