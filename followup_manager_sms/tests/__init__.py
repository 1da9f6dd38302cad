from . import test_dispatch
from . import test_dispatch_delivery
from . import test_preferred_channel
from . import test_step
from . import test_step_preview
