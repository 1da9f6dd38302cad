from . import res_company
from . import res_config_settings
from . import resource_calendar_leaves
