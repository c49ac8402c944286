"""Screenshots of what a person sees, written by test runs for a reviewer to open.

They go to `screenshots/` at the top of the repository (git-ignored), or to the folder named by
TWITCHLOG_SCREENSHOTS; one file per screen and colour scheme, at the phone size of conftest.PHONE.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("TWITCHLOG_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "screenshots")


def shoot(device, name: str, scheme: str = "light") -> Path:
    """The viewport as the phone shows it now (animations are off under reduced motion)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower()).strip('-')}-{scheme}.png"
    device.page.wait_for_timeout(80)
    device.page.screenshot(path=str(path), animations="disabled", caret="initial")
    return path
