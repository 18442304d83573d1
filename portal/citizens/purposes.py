"""Why Samskab asks for the optional personal facts, in the words shown beside each field, on the
coordinator's review page and in the person's data export (/mig/data)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The optional facts a citizen may give about themselves, in the order they are asked.
FIELDS = ("phone", "birth_year", "gender")


def purposes() -> dict:
    return {
        "phone": _l("Optional. So the contact person of a task you sign up for can call you, for instance "
                    "with a reminder or a change."),
        "birth_year": _l("Optional. Only for the municipality's figures on how broad the group of volunteers is. "
                         "Never shown to institutions."),
        "gender": _l("Optional. Only for the municipality's figures on how broad the group of volunteers is. "
                     "Never shown to institutions."),
    }


def labels() -> dict:
    return {"phone": _l("Phone"), "birth_year": _l("Year of birth"), "gender": _l("Gender")}


def export_section() -> dict:
    """The purposes as they go into the data export: {label: purpose}, in the reader's language."""
    found = purposes()
    return {str(labels()[name]): str(found[name]) for name in FIELDS}
