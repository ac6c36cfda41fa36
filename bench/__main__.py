"""`python -m bench`: run the benchmark (see bench/cli.py and BENCHMARKS.md).

`--tracker-src DIR` measures another checkout of the tracker (an A/B of a proposed change), and
`--commit REF` measures a commit of this repository (exported to a temporary directory), so that
edits to the working tree during a long run do not change what is measured. Either is put first
on the import path here, for the in-process scenarios, and on PYTHONPATH for every process.
"""

import os
import sys
from pathlib import Path

from bench.source import export_commit, option_value

_argv = sys.argv[1:]
_commit = option_value(_argv, "--commit")
if _commit:
    _argv = [*_argv, "--tracker-src", str(export_commit(_commit))]
_source = option_value(_argv, "--tracker-src")
if _source:
    _path = str(Path(_source).resolve())
    sys.path.insert(0, _path)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_path, os.environ.get("PYTHONPATH")]))

from bench.cli import main  # noqa: E402 (after the import path is settled)

raise SystemExit(main(_argv))
