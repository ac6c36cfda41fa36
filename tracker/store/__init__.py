"""The SQL store: engine, tables and migrations, and one module per aggregate (contributions,
repos, members, sync state, runs, digests). Their functions take the session first and the rest
by keyword."""
