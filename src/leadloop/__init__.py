"""leadloop: follow up information requests patiently, politely, at most once."""

__version__ = "0.1.0"
