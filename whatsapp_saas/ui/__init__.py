"""The Reflex UI. The only package that imports ``reflex``."""
