"""The Slack bot: people ask the tracker in Slack and get the numbers `tracker stats` gives.

`commands` parses what was asked and `windows` turns it into local days (both pure); `people`
finds the asker in the roster; `numbers` reads the store through the counting path; `answers`
writes Block Kit; `ask` composes them; `app` registers Bolt listeners over `ask`; `serve` runs the
app over HTTP or Socket Mode until it is told to stop.
"""
