# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager: Public Holidays",
    "summary": "No follow-up on the company's public holidays, read from its working "
    "hours; business-day delays skip them",
    "version": "18.0.2.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["followup_manager", "resource"],
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "development_status": "Alpha",
    "data": [
        "views/res_config_settings_views.xml",
        "views/followup_company_settings_views.xml",
    ],
    "demo": [
        "demo/resource_calendar_leaves_demo.xml",
    ],
}
