"""Pixabay stock videos and photos (https://pixabay.com/api/docs/)."""
