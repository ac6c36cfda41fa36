"""tracker: what an organization gives back to open-source AI, counted exactly."""

__version__ = "0.1.0"
