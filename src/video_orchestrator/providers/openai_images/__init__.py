"""OpenAI Images (``POST /v1/images/generations``) and compatible servers."""
