"""Sounds made from code: music beds and effects synthesised with numpy (CC0)."""
