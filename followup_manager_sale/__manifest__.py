# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager - Sales",
    "summary": "Follow-ups of quotations and sale orders: sent, confirmed, cancelled, "
    "expired; the soft opt-in of customers; the stages orders give",
    "version": "18.0.2.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["followup_manager", "sale"],
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "development_status": "Alpha",
    "data": [
        "security/res_groups_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "data/res_partner_data.xml",
        "views/sale_order_views.xml",
        "views/followup_sequence_views.xml",
        "views/followup_consent_event_views.xml",
        "wizards/followup_enroll_views.xml",
    ],
    "demo": [
        "demo/followup_sequence_demo.xml",
        "demo/followup_forecast_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "followup_manager_sale/static/src/js/tours/*.js",
        ],
    },
}
