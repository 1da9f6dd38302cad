# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager: Italian Opt-out Register",
    "summary": "Marketing calls and letters to Italian numbers and addresses follow the "
    "Registro Pubblico delle Opposizioni",
    "version": "18.0.2.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "countries": ["it"],
    "auto_install": True,
    "depends": ["followup_manager"],
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "development_status": "Alpha",
    "data": [
        "security/l10n_it_followup_manager_groups.xml",
        "security/ir.model.access.csv",
        "security/followup_rpo_security.xml",
        "data/followup_rpo_data.xml",
        "views/res_config_settings_views.xml",
        "views/followup_sequence_views.xml",
        "report/followup_consent_proof.xml",
        "wizards/followup_company_settings_views.xml",
        "wizards/followup_rpo_export_views.xml",
        "wizards/followup_rpo_import_views.xml",
        "views/res_partner_views.xml",
        "views/followup_rpo_entry_views.xml",
        "views/followup_rpo_import_views.xml",
        "views/l10n_it_followup_manager_menus.xml",
    ],
}
