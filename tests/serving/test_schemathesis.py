"""schemathesis against the served OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_no_server_error_for_generated_requests(server, tmp_path):
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "run", server.url + "/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", "60", "--generation-deterministic", "--no-color"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", out).groups())
    assert generated >= 1000 and passed == generated, out[-2000:]
