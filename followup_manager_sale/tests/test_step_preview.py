"""Moved from followup_manager/tests/test_step_preview.py: the tests that need Sales."""

import re

UNSUBSCRIBE_URL = re.compile(r"<(https?://[^>]+/followup/unsubscribe/(\d+)/([^>]+))>")
