"""Facebook: Page Reels through the Graph API's video_reels edge (ADR 0027)."""
