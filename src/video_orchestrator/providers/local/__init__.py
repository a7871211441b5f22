"""The local media library as a stock source: files named by what they show."""
