"""Measuring: a child process's wall time, CPU and peak RSS; medians; how busy the machine was."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """One finished child process. `peak_rss_mb` is its own peak resident set (VmHWM)."""

    exit_code: int
    wall_seconds: float
    user_seconds: float
    system_seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str

    @property
    def cpu_seconds(self) -> float:
        return self.user_seconds + self.system_seconds


def run_measured(
    command: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None, timeout: float = 3_600
) -> ProcessRun:
    """Run a command to completion: wall time, CPU (wait4 gives exactly this child's rusage) and
    peak RSS.

    The peak is the child's VmHWM, read while it runs. Not ru_maxrss: Linux carries the
    high-water mark of the image replaced by exec() into it, and that image is a (v)fork of this
    process, so ru_maxrss is at least this process's own RSS.
    """
    stdout_path, stderr_path = _output_files()
    with stdout_path.open("w+") as out, stderr_path.open("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), env=dict(env), cwd=cwd, stdout=out, stderr=err)
        try:
            status, usage, peak_kb = _wait_with_timeout(process, timeout)
        except BaseException:  # interrupted: leave no orphan behind
            process.kill()
            os.wait4(process.pid, 0)
            raise
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    stdout_path.unlink()
    stderr_path.unlink()
    process.returncode = os.waitstatus_to_exitcode(status)
    return ProcessRun(
        exit_code=process.returncode,
        wall_seconds=wall,
        user_seconds=usage.ru_utime,
        system_seconds=usage.ru_stime,
        peak_rss_mb=(peak_kb or usage.ru_maxrss) / 1024,  # kilobytes on Linux
        stdout=stdout,
        stderr=stderr,
    )


def _output_files() -> tuple[Path, Path]:
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-{time.monotonic_ns()}"
    return base.with_suffix(".out"), base.with_suffix(".err")


def _wait_with_timeout(
    process: subprocess.Popen[bytes], timeout: float
) -> tuple[int, resource.struct_rusage, int]:
    """Reap the child; meanwhile follow its VmHWM (kB; 0 where /proc does not tell)."""
    deadline = time.monotonic() + timeout
    peak_kb = 0
    while True:
        peak_kb = max(peak_kb, high_water_kb(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            return status, usage, peak_kb
        if time.monotonic() > deadline:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            return status, usage, peak_kb
        time.sleep(POLL_SECONDS)


def high_water_kb(pid: int) -> int:
    """The process's peak resident set so far (VmHWM), in kB; 0 once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc); 0.0 where that is not available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def spread(values: Sequence[float]) -> float:
    """(max - min) / median: 0.05 means the runs were within 5% of each other."""
    if len(values) < 2 or median(values) == 0:
        return 0.0
    return (max(values) - min(values)) / median(values)


def load_average() -> float:
    return os.getloadavg()[0]


def time_calls(action: Callable[[], object], runs: int, *, warmup: int = 1) -> list[float]:
    """Wall seconds of `runs` calls of `action` after `warmup` untimed calls."""
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return timings
