"""pytest plugin for mutation testing: the fast tier only (``-p mutation_fast_tier``).

Keras and TensorFlow are made unimportable, so every test that builds a model skips through
``pytest.importorskip``; tests that start the command line in a fresh process are skipped too (a mutant
lives only in this process). What remains is pure Python and runs in seconds per mutant."""

import inspect
import sys

import pytest

for name in ("keras", "tensorflow"):
    sys.modules[name] = None  # import keras → ImportError; importorskip → skip


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skip(reason="mutation testing: a fresh process would not see the mutant")
    for item in items:
        try:
            source = inspect.getsource(item.function)
        except (OSError, TypeError, AttributeError):
            continue
        if "run_cli(" in source or "subprocess" in source:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test (or fixture) that asks for a Keras model without importorskip: skipped, not failed."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and "Keras is not installed" in str(call.excinfo.value):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, "Skipped: mutation testing runs without Keras")
