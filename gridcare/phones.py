"""Mobile phone numbers: the one pattern every form and service checks them against.

Neutral ground below every domain, so accounts (a user's phone) and the registry (a
resident's and a contact's phones) share it without importing each other.
"""

import re

from flask_babel import lazy_gettext as _l

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
PHONE_MESSAGE = _l("A mobile number has 11 digits and starts with 13–19.")
