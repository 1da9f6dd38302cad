from . import followup_company_settings
