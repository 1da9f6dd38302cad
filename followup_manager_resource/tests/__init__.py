from . import test_hostile_holidays
from . import test_steering_holidays
from . import test_ui_places
