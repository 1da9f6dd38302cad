from . import followup_step_preview
