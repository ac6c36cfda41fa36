"""The tracker's benchmark: `python -m bench` (BENCHMARKS.md has the commands and the results).

- `bench.emulator`: the local GitHub REST emulator and its ground truth.
- `bench.sync_scenarios`: backfill, incremental, growth, memory (real `tracker sync` processes).
- `bench.store_speed`: query speed and ingest (the store alone, in-process).
- `bench.peer`: Perceval against the same emulator.
- `bench.report`: tables and targets from a results JSON.
"""
