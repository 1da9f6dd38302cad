"""Small helpers shared by the add-on's models (no model of their own)."""

# Who reads the follow-up fields of a contact: follow-up users, and consent
# auditors, who stand alone (they are not follow-up users and change nothing).
FOLLOWUP_READERS = (
    "followup_manager.followup_manager_group_user,followup_manager.followup_manager_group_auditor"
)


def int_param(env, key, default, minimum=0):
    """An integer system parameter of the add-on, at least ``minimum``; a missing
    or malformed value (set by hand in Settings > Technical) reads as ``default``."""
    # sudo: system parameters are readable by administrators only; these are the
    # add-on's own tuning values, not secrets, and only their number is returned.
    value = env["ir.config_parameter"].sudo().get_param(key, str(default))
    try:
        return max(minimum, int(value))
    except (TypeError, ValueError):
        return default
