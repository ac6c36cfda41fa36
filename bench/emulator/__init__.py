"""A local GitHub REST API emulator serving a seeded, synthetic organization.

For benchmarks and whole-process tests: real JSON shapes, pagination, ETags,
rate limits, the search and events caps, request accounting, and the exact
ground truth of what should be counted. See `bench/emulator/README.md`.
"""

from .model import World
from .seed import WorldConfig, advance_world, generate_world
from .server import Emulator, EmulatorSettings, RunningEmulator, start_in_thread
from .truth import ground_truth, minimum_pages, minimum_pages_breakdown

__all__ = [
    "Emulator",
    "EmulatorSettings",
    "RunningEmulator",
    "World",
    "WorldConfig",
    "advance_world",
    "generate_world",
    "ground_truth",
    "minimum_pages",
    "minimum_pages_breakdown",
    "start_in_thread",
]
