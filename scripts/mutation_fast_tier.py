"""pytest plugin for mutation testing: the fast tier only (``-p mutation_fast_tier``).

Keras and TensorFlow are made unimportable, so every test that builds a model skips through
``pytest.importorskip``; tests that start the command line in a fresh process are skipped too (a mutant
lives only in this process). What remains is pure Python and runs in seconds per mutant.

Two more things keep a mutant cheap:
- the tests a mutant runs go fastest first (by the durations mutmut recorded in ``mutmut-stats.json``), so
  with ``-x`` a killed mutant stops at the first cheap test that fails instead of after a slow one;
- the Hypothesis profile ``mutation`` (``HYPOTHESIS_PROFILE=mutation``, scripts/mutation.sh sets it): fewer
  examples, derandomized (every mutant sees the same examples, so a result does not depend on luck) and
  no example database (mutants must not teach each other failing examples)."""

import inspect
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

for name in ("keras", "tensorflow"):
    sys.modules[name] = None  # import keras → ImportError; importorskip → skip

settings.register_profile("mutation", max_examples=10, derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
if os.environ.get("HYPOTHESIS_PROFILE") == "mutation":
    settings.load_profile("mutation")  # conftest.py loads it again by name; this covers runs without it

_durations: dict = {}


def _recorded_durations() -> dict:
    """The seconds each test took in mutmut's stats run (read once it exists; forks inherit it)."""
    global _durations
    if not _durations:
        try:
            _durations = json.loads(Path("mutmut-stats.json").read_text(encoding="utf-8"))["duration_by_test"]
        except (OSError, ValueError, KeyError):
            _durations = {}
    return _durations


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skip(reason="mutation testing: a fresh process would not see the mutant")
    for item in items:
        try:
            source = inspect.getsource(item.function)
        except (OSError, TypeError, AttributeError):
            continue
        if "run_cli(" in source or "subprocess" in source:
            item.add_marker(skip)
    durations = _recorded_durations()
    if durations:
        unknown = max(durations.values(), default=0.0)  # a test mutmut has not timed yet runs last
        items.sort(key=lambda item: durations.get(item.nodeid, unknown))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test (or fixture) that asks for a Keras model without importorskip: skipped, not failed."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and "Keras is not installed" in str(call.excinfo.value):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, "Skipped: mutation testing runs without Keras")
