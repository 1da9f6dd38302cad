"""Checks of the arguments public methods receive (over RPC anything can arrive: a
list where a word is expected, ``None`` in a list of ids, a number too large for the
database). Each check raises a ValidationError (a UserError) naming the argument, so
the caller reads what to fix instead of a Python or SQL traceback. No model of their
own."""

from odoo.exceptions import ValidationError

# The ids of every table are PostgreSQL integers.
from .tools import INT4_MAX


def _bad(env, argument, expected, value):
    return ValidationError(
        env._(
            "Invalid value for %(argument)s: %(value)s. Expected %(expected)s.",
            argument=argument,
            value=repr(value)[:80],
            expected=expected,
        )
    )


def check_id(env, argument, value):
    """An id: a positive integer the database can hold (a string of digits is accepted,
    as ``int()`` would). Returns it as an ``int``."""
    if isinstance(value, str) and value.strip().isdigit() and value.isascii():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= INT4_MAX:
        raise _bad(env, argument, env._("a record id (a positive whole number)"), value)
    return value


def check_ids(env, argument, value):
    """A list of ids (or a single id). Returns a list of ``int``."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple):
        raise _bad(env, argument, env._("a list of record ids"), value)
    return [check_id(env, argument, item) for item in value]


def check_choice(env, argument, value, choices, optional=False):
    """One of ``choices`` (the keys of a selection); ``False`` or ``None`` pass when
    ``optional``. Returns the value."""
    if optional and value in (False, None):
        return False
    keys = [item[0] if isinstance(item, tuple) else item for item in choices]
    if not isinstance(value, str) or value not in keys:
        raise _bad(env, argument, env._("one of %(keys)s", keys=", ".join(keys)), value)
    return value


def check_text(env, argument, value, optional=True, max_length=None):
    """A text (``False``/``None``/empty pass when ``optional``). Returns it."""
    if optional and value in (False, None, ""):
        return False
    if not isinstance(value, str) or (max_length and len(value) > max_length):
        expected = (
            env._("a text of at most %(length)s characters", length=max_length)
            if max_length
            else env._("a text")
        )
        raise _bad(env, argument, expected, value)
    return value
