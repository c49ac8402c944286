"""A pytest plugin for runs under libfaketime: pytest can hang at exit after its summary there
(TESTING.md), so once the session is reported the process ends with pytest's own status."""
from __future__ import annotations

import os
import sys

_status = {"code": 0}


def pytest_sessionfinish(session, exitstatus):
    _status["code"] = int(exitstatus)


def pytest_unconfigure(config):
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_status["code"])
