from . import followup_sequence
from . import calendar_event
from . import followup_forecast
