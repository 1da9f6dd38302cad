from . import test_enrollment
from . import test_lifecycle
from . import test_sequence
from . import test_step_preview
from . import test_touchpoints
from . import test_triggers
