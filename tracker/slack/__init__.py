"""Sending to Slack: a bot token (chat.postMessage) or an incoming webhook, with retries."""
