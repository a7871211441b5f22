"""Facebook Page Reels' video insights as a metric source (ADR 0038, 0045)."""
