"""A local GitHub REST API emulator serving a seeded, synthetic organization.

For benchmarks and whole-process tests: real JSON shapes, pagination, ETags,
rate limits, the search and events caps, request accounting, and the exact
ground truth of what should be counted. See `bench/emulator/README.md`.

Entry points (imported from their modules, so `python -m bench.emulator.truth` runs cleanly):
- `bench.emulator.seed`: `WorldConfig`, `generate_world`, `advance_world`
- `bench.emulator.builder`: `WorldBuilder` for hand-made worlds
- `bench.emulator.server`: `start_in_thread`, `Emulator`, `EmulatorSettings`
- `bench.emulator.truth`: `ground_truth`, `minimum_pages`, `minimum_pages_breakdown`
"""
