"""Pexels stock videos and photos (https://www.pexels.com/api/documentation/)."""
