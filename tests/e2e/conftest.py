"""Fixtures of the end-to-end scenarios: `loop(...)` starts the whole stack (see e2e_stack.py) in
the test's temporary directory and stops every process of it at the end, whatever happens; the
fault-to-restart times each scenario measures are printed after the run and written to
build/test-results/e2e-timings.json."""
import json
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import e2e_stack  # noqa: E402

_MEASURED = {}


@pytest.fixture(scope="session")
def timing():
    return e2e_stack.Timing.scaled(e2e_stack.time_scale_from_env())


@pytest.fixture
def loop(tmp_path, timing):
    """loop(**Options fields) -> a started Stack. Every stack is stopped after the test."""
    stacks = []

    def start(**kw):
        kw.setdefault("timing", timing)
        stack = e2e_stack.Stack(tmp_path / f"stack{len(stacks)}", e2e_stack.Options(**kw))
        stacks.append(stack)
        return stack.start()

    yield start
    for s in reversed(stacks):
        s.stop()


@pytest.fixture
def record(request, timing):
    """record(label, seconds): a measured fault-to-restart time, also scaled back to real time."""

    def add(label, secs, unscaled=0.0):
        # `unscaled`: the part of `secs` that is a fixed wait the time scale does not compress.
        _MEASURED[f"{request.node.name}: {label}"] = {
            "seconds": round(secs, 2), "scale": timing.scale,
            "real_time_equivalent_seconds": round((secs - unscaled) * timing.scale + unscaled, 1)}

    return add


def pytest_terminal_summary(terminalreporter):
    if not _MEASURED:
        return
    tr = terminalreporter
    tr.section("end-to-end: fault-to-restart times")
    for name, m in _MEASURED.items():
        tr.write_line(f"{m['seconds']:7.2f} s  (x{m['scale']:g} = {m['real_time_equivalent_seconds']:6.1f} s"
                      f" at shipped timings)  {name}")
    root = pathlib.Path(__file__).resolve().parents[2]
    out_dir = root / "build" / "test-results"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "e2e-timings.json").write_text(json.dumps(_MEASURED, indent=2) + "\n")
    except OSError:
        pass
