from . import test_meeting_done
