# Copyright 2026 followup_manager authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Follow-up Manager: Meetings",
    "summary": "Follow-up sequences started when a meeting is over: its external "
    "attendees thanked on the meeting's thread",
    "version": "18.0.2.1.0",
    "category": "Productivity/Calendar",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["followup_manager", "calendar"],
    "website": "https://github.com/followup-manager/followup_manager",
    "author": "followup_manager authors",
    "development_status": "Alpha",
    "data": [
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
    ],
    "demo": [
        "demo/followup_sequence_demo.xml",
    ],
}
