"""TikTok: Login Kit OAuth v2 and the Content Posting API's Direct Post (ADR 0027)."""
