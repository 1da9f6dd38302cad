"""18.0.1.1.0: consent auditors stand alone.

Up to 18.0.1.0.0 the auditor group implied the follow-up user group, and Odoo keeps
implied groups as memberships of their own: dropping the implication (security/
followup_manager_groups.xml) leaves every existing auditor a follow-up user, able to
record decisions, enroll and stop. This takes the user group away from the auditors
who hold it through nothing else (no Sales right, not a follow-up manager...). A
person meant to do both gets it back on their user form, where the two are now
separate choices (before, choosing "Consent Auditor" gave both)."""

from odoo import SUPERUSER_ID, Command, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    user_group = env.ref("followup_manager.followup_manager_group_user")
    auditor_group = env.ref("followup_manager.followup_manager_group_auditor")
    granting = env["res.groups"].search([]).filtered(lambda g: user_group in g.trans_implied_ids)
    users = auditor_group.with_context(active_test=False).users
    keep = granting.with_context(active_test=False).users
    (users - keep).write({"groups_id": [Command.unlink(user_group.id)]})
