from . import followup_demo_history
