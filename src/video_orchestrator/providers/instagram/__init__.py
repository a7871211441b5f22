"""Instagram: Reels through the Instagram Graph API with Facebook Login (ADR 0027)."""
