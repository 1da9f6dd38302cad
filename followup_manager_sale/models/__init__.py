from . import followup_sequence
from . import followup_enrollment
from . import followup_facts
from . import followup_forecast
from . import res_partner
from . import sale_order
