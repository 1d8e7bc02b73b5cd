"""The forms of the screens, one module per feature."""
