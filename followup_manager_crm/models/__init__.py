from . import followup_sequence
from . import followup_forecast
from . import res_partner
from . import crm_lead
