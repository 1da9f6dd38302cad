# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager - Sales and CRM",
    "summary": "Follow-ups where opportunities and sale orders meet (as sale_crm does): "
    "the tests of both together",
    "version": "18.0.2.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["followup_manager_sale", "followup_manager_crm"],
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "development_status": "Alpha",
}
