"""YouTube: Google OAuth 2 (PKCE, loopback or web redirect) and the Data API v3 resumable
upload, as a ``ports.publishing`` Connector and Publisher (ADR 0026)."""
