"""Safety pages."""
