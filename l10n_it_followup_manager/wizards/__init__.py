from . import followup_company_settings
from . import followup_rpo_export
from . import followup_rpo_import_wizard
