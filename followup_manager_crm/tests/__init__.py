from . import test_consent_proof
from . import test_enrollment
from . import test_lifecycle
from . import test_security
from . import test_touchpoints
from . import test_triggers
from . import test_trust_config
