"""Forms of the safety pages."""
