from . import test_register
from . import test_register_dispatch
from . import test_security
from . import test_ui_places
from . import test_hostile_input
from . import test_trust_hostile
