"""Sending to Slack: destinations from the environment, posting by bot token or webhook, checks."""
