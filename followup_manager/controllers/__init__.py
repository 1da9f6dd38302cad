from . import followup_manager
from . import followup_preferences
from . import followup_unsubscribe
