"""Signed webhooks (Standard Webhooks' signature scheme), sent over the one transport."""
