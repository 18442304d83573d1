"""The citizen's profile: skills, interests, availability, area, languages, motivation and consent."""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from models import Role, VolunteerProfile, db, utcnow
from models.volunteer_operations import ProfileChanges, update_profile
from models.selfservice import Flow
from portal import selfservice
from portal.access import access
from portal.citizens.forms import MAX_AWAY_PERIODS, SUGGESTED_TAGS, ProfileForm, parse_birth_year
from portal.citizens.purposes import purposes
from portal.routes import RouteTable
from portal.public.forms import WEEKDAY_LABELS

routes = RouteTable()



@dataclass
class Check:
    done: bool
    what: object   # lazy string: what is asked for
    why: object    # lazy string: why it helps


def completeness(profile: VolunteerProfile | None) -> list[Check]:
    """What a good profile holds, whether this one has it, and why it helps."""
    p = profile or ProfileChanges(offers_time=False)  # nothing written yet: every field empty
    return [
        Check(bool((p.skills or "").strip()), _l("What you are good at"),
              _l("Institutions can see what you could help with, and we can suggest tasks that fit.")),
        Check(bool((p.interests or "").strip()), _l("What you are interested in"),
              _l("Tasks around a cause you care about are more fun.")),
        Check(bool(p.tags), _l("Tags"), _l("Tags make it quick to find tasks of the same kind.")),
        Check(bool(p.availability), _l("When you have time"),
              _l("We only suggest tasks at times that suit you.")),
        Check(bool(p.postcode), _l("Postcode"), _l("We can show tasks near you.")),
        Check(p.travel_km is not None, _l("How far you will travel"),
              _l("Tasks too far away are left out of your suggestions.")),
        Check(bool((p.languages or "").strip()), _l("Languages"),
              _l("Some tasks need a language other than Danish – yours may be just what is missing.")),
        Check(bool(p.motivations), _l("What motivates you"),
              _l("It helps the volunteer coordinator find the right task and thank you in the right way.")),
        Check(bool(p.consent_to_be_found), _l("Permission to be found"),
              _l("Most volunteers start because someone asked them personally. With your permission, "
                 "coordinators and institutions can invite you.")),
    ]


def _fill_form(form: ProfileForm, profile: VolunteerProfile | None) -> None:
    form.phone.data = current_user.phone or ""
    if profile is None:
        form.offers.data = "time"
        return
    tags = profile.tag_list
    form.skills.data, form.interests.data = profile.skills, profile.interests
    form.tags.data = [t for t in tags if t in SUGGESTED_TAGS]
    form.own_tags.data = ", ".join(t for t in tags if t not in SUGGESTED_TAGS)
    form.availability.data = [f"{s.weekday}-{s.part}" for s in profile.availability]
    periods = sorted(profile.away, key=lambda a: a.starts_on)[:MAX_AWAY_PERIODS]
    for entry, period in zip(form.away.entries, periods):
        entry.form.starts_on.data, entry.form.ends_on.data = period.starts_on, period.ends_on
    form.postcode.data, form.travel_km.data, form.languages.data = profile.postcode, profile.travel_km, profile.languages
    form.offers.data = ("both" if profile.offers_time and profile.offers_ideas
                        else "ideas" if profile.offers_ideas else "time")
    form.motivations.data = profile.motivation_list
    form.consent_to_be_found.data = profile.consent_to_be_found
    form.consent_shown_to_citizens.data = profile.consent_shown_to_citizens
    form.birth_year.data = str(profile.birth_year) if profile.birth_year else ""
    form.gender.data = profile.gender or ""


def changes_from(form: ProfileForm) -> ProfileChanges:
    """The profile form, parsed for the use case (models.volunteer_operations.update_profile)."""
    return ProfileChanges(
        skills=form.skills.data or "", interests=form.interests.data or "", tags=form.tag_values(),
        postcode=form.postcode.data or None, travel_km=form.travel_km.data, languages=form.languages.data or "",
        offers_time=form.offers.data in ("time", "both"), offers_ideas=form.offers.data in ("ideas", "both"),
        motivations=list(form.motivations.data or []), consent_to_be_found=bool(form.consent_to_be_found.data),
        consent_shown_to_citizens=bool(form.consent_shown_to_citizens.data),
        availability={(int(v.split("-")[0]), v.split("-")[1]) for v in form.availability.data or []},
        away={(e.form.starts_on.data, e.form.ends_on.data) for e in form.away.entries if e.form.starts_on.data},
        phone=form.phone.data or None, birth_year=parse_birth_year(form.birth_year.data),
        gender=form.gender.data or None)


@routes.route("/min-profil", methods=["GET", "POST"])
@access(Role.CITIZEN)
def profile():
    """Edit what you offer; the completeness list says what is missing and why it helps."""
    form = ProfileForm()
    selfservice.started(Flow.PROFILE)
    if form.validate_on_submit():
        update_profile(current_user, changes_from(form), now=utcnow())
        db.session.commit()
        selfservice.finished(Flow.PROFILE)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("citizens.profile"))
    if not form.is_submitted():
        _fill_form(form, current_user.profile)
    checks = completeness(current_user.profile)
    return render_template("citizens/profile.html", form=form, checks=checks,
                           done=sum(c.done for c in checks), profile=current_user.profile,
                           weekday_labels=WEEKDAY_LABELS, purposes=purposes())
