from . import followup_enroll
from . import base_partner_merge_automatic_wizard
from . import followup_lifecycle_wizard
from . import followup_consent_record
from . import followup_company_settings
from . import followup_snooze
from . import followup_step_preview
