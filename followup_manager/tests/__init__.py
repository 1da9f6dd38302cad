from . import test_settings
from . import test_preferences
from . import test_tour_preferences
from . import test_sequence
from . import test_enrollment
from . import test_triggers
from . import test_consent
from . import test_consent_blacklist
