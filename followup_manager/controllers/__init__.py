from . import followup_manager
