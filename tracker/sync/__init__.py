"""The sync: cursor → fetch → classify → upsert → advance the cursor.

Every unit of work (one search query's results, one detail fetch, one PR re-check) is
committed on its own, and a login's cursor moves only after everything it covers is
committed; details still to fetch sit in a durable queue. A sync killed at any moment
resumes where it stopped and never stores a contribution twice.

`run.run_sync()` is the one entry point. One `context.SyncContext` per run carries the session,
the client and what the run has learnt to the jobs, each in its module, run in this order:
`people` (members, roster, history start), `repos` (the repo gate), `activity` (each login's
search and events), `fetch_queue` (queued comments, reviews and issues), `open_prs` (re-checks).
`contributions` builds contributions from GitHub's records under the counting rules;
`recording` stores them; `summary` says what the run did.
"""
