# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager: Text Messages",
    "summary": "Follow-up steps that send a text message (SMS) from a template, with "
    "their delivery reports",
    "version": "18.0.2.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["followup_manager", "sms"],
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "development_status": "Alpha",
    "data": [
        "views/followup_step_views.xml",
        "views/followup_step_preview_views.xml",
    ],
    "demo": [
        "demo/followup_sequence_demo.xml",
    ],
}
