# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager - CRM",
    "summary": "Follow-ups of opportunities: won, lost, created from a question; the "
    "prospects opportunities make",
    "version": "18.0.2.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["followup_manager", "crm"],
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "development_status": "Alpha",
    "data": [
        "security/res_groups_data.xml",
        "data/mail_template_data.xml",
        "data/res_partner_data.xml",
        "views/crm_lead_views.xml",
        "wizards/followup_enroll_views.xml",
    ],
    "demo": [
        "demo/res_partner_demo.xml",
        "demo/followup_sequence_demo.xml",
    ],
}
