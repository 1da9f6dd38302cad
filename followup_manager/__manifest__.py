# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager",
    "summary": "Lifecycle stages, per-channel consent with proof, and follow-up "
    "sequences that contact people only when allowed",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "maintainers": ["followup-manager"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "installable": True,
    "depends": ["mail", "phone_validation", "sms", "crm", "sale", "sale_crm"],
    "external_dependencies": {"python": ["phonenumbers", "babel"]},
    "data": [
        "security/followup_manager_groups.xml",
        "security/ir.model.access.csv",
        "security/followup_manager_security.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "data/followup_preferences_actions.xml",
        "views/res_partner_views.xml",
        "views/followup_preferences_templates.xml",
        "views/res_config_settings_views.xml",
        "views/followup_sequence_views.xml",
        "views/followup_enrollment_views.xml",
        "views/followup_dispatch_views.xml",
        "views/sale_order_views.xml",
        "views/crm_lead_views.xml",
        "views/followup_consent_views.xml",
        "views/followup_consent_event_views.xml",
        "report/followup_consent_report.xml",
        "wizards/followup_enroll_views.xml",
        "views/followup_manager_menus.xml",
    ],
    "demo": [
        "demo/followup_sequence_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "followup_manager/static/src/js/tours/*.js",
        ],
    },
}
