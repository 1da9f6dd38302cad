from . import test_settings
from . import test_preferences
from . import test_tour_preferences
