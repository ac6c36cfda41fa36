"""Scheduled jobs and their APScheduler wiring; the only package that imports APScheduler."""
