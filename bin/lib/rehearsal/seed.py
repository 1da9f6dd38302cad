"""Seed of the production rehearsal, run by bin/rehearsal through ``odoo-bin shell`` on
the rehearsal's own database (a private cluster) before the prefork server starts.

RH_STEPS partners, each enrolled in a single-step sequence whose step is due now:
half e-mail (marketing), a quarter SMS (marketing), a quarter phone-call activity
(service); the e-mail and SMS consents in every state (granted by consent, soft opt-in,
pending, withdrawn, none). Single steps, so that what is due is exactly one step per
enrollment and can be counted.

The send rules let every step through that consent allows (window 0-24 h, no weekends,
a cap of 100), so that the rehearsal measures work, not deferrals. Odoo's mail queue
sends to the rehearsal's SMTP server (the only ir.mail_server) and runs every minute,
200 e-mails a run (RH_MAIL_QUEUE_BATCH);
the SMS queue is stopped (no SMS provider here: an SMS step is done when its SMS is
queued). A mailing list of as many contacts as there are e-mail steps, and a mailing to
it in draft, for Odoo's own mass mailing. Writes $RH_DIR/people.json for the driver.
"""

import json
import os
import random

from odoo import fields

N = int(os.environ["RH_STEPS"])
SMALL = os.environ.get("RH_SMALL") == "1"
DIR = os.environ["RH_DIR"]
HTTP_PORT = os.environ["RH_HTTP_PORT"]
SMTP_PORT = int(os.environ["RH_SMTP_PORT"])
RH_MAIL_QUEUE_BATCH = os.environ.get("RH_MAIL_QUEUE_BATCH", "200")
rng = random.Random(int(os.environ.get("RH_SEED", "1")))
env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))  # noqa: F821
cr = env.cr
ROME = "Europe/Rome"
DOMAIN = "rehearsal.test"

# Nothing of the demo data takes part.
env["followup.enrollment"].search([("state", "in", ("active", "paused"))]).write(
    {"state": "done", "next_date": False}
)
env["followup.sequence"].search([]).write({"active": False})
env["mail.mail"].search([]).unlink()
env["sms.sms"].search([]).unlink()

# Where the mail goes: the rehearsal's SMTP server only; bounces and replies come back
# through the gateway to the alias domain.
env["ir.mail_server"].search([]).write({"active": False})
env["ir.mail_server"].create(
    {
        "name": "Rehearsal SMTP",
        "smtp_host": "127.0.0.1",
        "smtp_port": SMTP_PORT,
        "smtp_encryption": "none",
        "sequence": 1,
    }
)
alias_domain = env["mail.alias.domain"].create(
    {"name": DOMAIN, "bounce_alias": "bounce", "catchall_alias": "catchall"}
)
company = env.company
company.write(
    {
        "alias_domain_id": alias_domain.id,
        "email": f"sales@{DOMAIN}",
        "followup_window_start": 0.0,
        "followup_window_end": 24.0,
        "followup_business_days": False,
        "followup_cap_count": 100,
        "followup_cap_days": 1,
    }
)
env.user.partner_id.email = f"admin@{DOMAIN}"
icp = env["ir.config_parameter"]
icp.set_param("web.base.url", f"http://127.0.0.1:{HTTP_PORT}")
icp.set_param("web.base.url.freeze", "True")
icp.set_param("sms.endpoint", "http://127.0.0.1:9")
icp.set_param("followup_manager.dispatch_batch_size", "50" if SMALL else "500")
env.ref("sms.ir_cron_sms_scheduler_action").active = False
env.ref("mail.ir_cron_mail_scheduler_action").write(
    {"interval_number": 1, "interval_type": "minutes"}
)
# As a production admin sizes the mail queue (README, Production rehearsal): 200 e-mails
# per run instead of Odoo's 1,000. Odoo's cron runner runs the queue job up to ten times
# in a row while it progresses, and a cron worker's --limit-time-real-cron covers all
# the jobs it runs in one go: ten runs of 1,000 e-mails at a few per second outlast it
# (the worker is killed in the middle of sending). A smaller run also lets a single
# cron worker get back to the dispatch sooner, and an SMTP outage fails (and puts back
# for a retry) one run's e-mails instead of a thousand.
icp.set_param("mail.mail.queue.batch.size", RH_MAIL_QUEUE_BATCH)
# Only the jobs the rehearsal is about run (the template's other jobs are all overdue).
kept = (
    env.ref("followup_manager.ir_cron_followup_dispatch")
    | env.ref("mail.ir_cron_mail_scheduler_action")
    | env.ref("mass_mailing.ir_cron_mass_mailing_queue")
)
(env["ir.cron"].search([]) - kept).active = False
# Demo public holidays must not defer the steps.
env["resource.calendar.leaves"].search([("resource_id", "=", False)]).unlink()

group = env.ref("sales_team.group_sale_salesman")
users = (
    env["res.users"]
    .with_context(no_reset_password=True)
    .create(
        [
            {
                "name": f"Rehearsal Salesperson {index}",
                "login": f"rh_sales_{index}",
                "email": f"rh_sales_{index}@{DOMAIN}",
                "groups_id": [(6, 0, group.ids)],
                "tz": ROME,
                "notification_type": "inbox",
            }
            for index in range(10)
        ]
    )
)
italy = env.ref("base.it")


def kind_of(index):
    slot = index % 4
    return "email" if slot in (0, 1) else ("sms" if slot == 2 else "activity")


partners = env["res.partner"]
for start in range(0, N, 2000):
    partners |= env["res.partner"].create(
        [
            {
                "name": f"Rehearsal Person {index}",
                "email": f"person{index}@{DOMAIN}",
                "mobile": f"+39 347 {index // 10000 % 1000:03d} {index % 10000:04d}",
                "country_id": italy.id,
                "tz": ROME,
                "lang": "en_US",
                "user_id": users[index % len(users)].id,
            }
            for index in range(start, min(start + 2000, N))
        ]
    )
    cr.commit()

# Consents in every state, for the e-mail and SMS channels.
STATES = [
    ("granted", "consent"),
    ("granted", "consent"),
    ("granted", "consent"),
    ("granted", "consent"),
    ("granted", "consent"),
    ("granted", "soft_opt_in"),
    ("pending", "consent"),
    ("withdrawn", "consent"),
    (False, False),
]
people = []
by_consent = {}
for index, partner in enumerate(partners):
    kind = kind_of(index)
    state, basis = STATES[rng.randrange(len(STATES))]
    if kind in ("email", "sms") and state:
        by_consent.setdefault((kind, state, basis), []).append(partner.id)
    people.append({"id": partner.id, "email": partner.email, "kind": kind, "consent": state})
for (channel, state, basis), ids in by_consent.items():
    env["res.partner"].browse(ids).followup_set_consent(
        channel, state, "import", legal_basis=basis
    )
cr.commit()

call = env.ref("mail.mail_activity_data_call")
template = env.ref("followup_manager.mail_template_followup_partner_help")
sms_template = env["sms.template"].create(
    {
        "name": "Rehearsal SMS",
        "model_id": env["ir.model"]._get_id("res.partner"),
        "body": "Hello {{ object.name }}, a quick follow-up from us.",
    }
)
steps = {
    "email": {"action": "email", "channel": "email", "mail_template_id": template.id},
    "sms": {"action": "sms", "channel": "sms", "sms_template_id": sms_template.id},
    "activity": {"action": "activity", "channel": "phone", "activity_type_id": call.id},
}
sequences = {}
for kind, step in steps.items():
    sequences[kind] = env["followup.sequence"].create(
        {
            "name": f"Rehearsal: {kind}",
            "purpose": "service" if kind == "activity" else "marketing",
            "step_ids": [
                (0, 0, dict(step, name=f"Rehearsal {kind}", delay=0, delay_unit="hours"))
            ],
        }
    )
for kind, sequence in sequences.items():
    ids = [person["id"] for person in people if person["kind"] == kind]
    for start in range(0, len(ids), 2000):
        sequence.enroll(ids[start : start + 2000])
        cr.commit()

# The public pages' visitors: some e-mail people (consent granted) will click one-click
# unsubscribe, others read and save their preference page (two separate groups, so that
# a save never undoes an unsubscribe of the same person).
granted = [p for p in people if p["kind"] == "email" and p["consent"] == "granted"]
rng.shuffle(granted)
count = max(10, min(len(granted) // 4, 400))
unsubscribers, preference_readers = granted[:count], granted[count : 2 * count]
browse = env["res.partner"].browse
for person in unsubscribers:
    person["unsubscribe_token"] = browse(person["id"])._followup_token("unsubscribe")
    person["role"] = "unsubscribe"
for person in preference_readers:
    person["preferences_token"] = browse(person["id"])._followup_token("preferences")
    person["role"] = "preferences"

# Odoo's own mass mailing, as many e-mails as there are e-mail steps.
emails = sum(1 for p in people if p["kind"] == "email")
mailing_list = env["mailing.list"].create({"name": "Rehearsal list"})
for start in range(0, emails, 2000):
    env["mailing.contact"].create(
        [
            {
                "name": f"Mass Contact {index}",
                "email": f"mass{index}@{DOMAIN}",
                "list_ids": [(4, mailing_list.id)],
            }
            for index in range(start, min(start + 2000, emails))
        ]
    )
mailing = env["mailing.mailing"].create(
    {
        "subject": "Rehearsal newsletter",
        "body_html": "<p>Hello, this is our newsletter.</p>",
        "mailing_model_id": env["ir.model"]._get_id("mailing.list"),
        "contact_list_ids": [(6, 0, mailing_list.ids)],
        "email_from": f"news@{DOMAIN}",
    }
)
cron = env.ref("followup_manager.ir_cron_followup_dispatch")
cron.nextcall = fields.Datetime.now()
cr.commit()

with open(os.path.join(DIR, "people.json"), "w") as handle:
    json.dump(
        {
            "people": people,
            "mailing_id": mailing.id,
            "mass_emails": emails,
            "dispatch_cron_id": cron.id,
            "sequence_ids": {kind: sequence.id for kind, sequence in sequences.items()},
            "seeded_at": fields.Datetime.to_string(fields.Datetime.now()),
        },
        handle,
    )
print(f"seeded {N} steps, {emails} e-mail steps, {count} unsubscribers")
