from . import followup_step
from . import followup_channel_sms
from . import followup_dispatch
from . import followup_dispatcher
from . import followup_delivery
from . import sms_tracker
