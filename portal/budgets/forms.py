"""The citizen budgets' forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from models.budgets import BallotKind, Rule
from portal.forms import BaseForm

MAX_KR = 1_000_000_000


def ballot_kind_choices():
    return [(BallotKind.APPROVAL, _l("Approval: choose up to a number of projects")),
            (BallotKind.KNAPSACK, _l("Knapsack: choose projects that fit in the pot"))]


def rule_choices():
    return [(Rule.GREEDY, _l("Greedy by votes (most votes first)")),
            (Rule.MES, _l("Method of Equal Shares (proportional)"))]


class BudgetForm(BaseForm):
    council = SelectField(_l("Local council"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the budget a title.")),
                                                 Length(max=160, message=_l("At most %(max)d characters."))])
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=5000, message=_l("At most %(max)d characters."))])
    pot_kr = IntegerField(_l("Pot in kroner"), validators=[
        InputRequired(message=_l("Enter the pot in whole kroner.")),
        NumberRange(min=1, max=MAX_KR, message=_l("Enter an amount in whole kroner, 1 or more."))])
    postcodes = StringField(_l("Postcodes of the area (comma-separated; empty: the whole municipality)"),
                            validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))])
    min_age = IntegerField(_l("Minimum age"), default=15, validators=[
        InputRequired(message=_l("Enter an age.")), NumberRange(min=0, max=120, message=_l("Enter an age from 0 to 120."))])
    ballot_kind = SelectField(_l("Ballot"), choices=ballot_kind_choices)
    max_choices = IntegerField(_l("Most projects per ballot (approval)"), validators=[
        Optional(), NumberRange(min=1, max=100, message=_l("Enter a number from 1 to 100."))])
    rule = SelectField(_l("Counting rule"), choices=rule_choices)
    proposals_until = DateField(_l("Proposals until"), validators=[Optional()])
    review_until = DateField(_l("Review until"), validators=[Optional()])
    voting_until = DateField(_l("Voting until"), validators=[Optional()])

    def __init__(self, *args, councils=(), allow_municipality=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.council.choices = ([("", _l("The whole municipality"))] if allow_municipality else []) + [
            (str(c.id), c.name) for c in councils]


class ProposalForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the proposal a title.")),
                                                 Length(max=160, message=_l("At most %(max)d characters."))])
    description = TextAreaField(_l("What should be made, and for whom?"), validators=[
        DataRequired(message=_l("Describe the proposal.")), Length(max=5000, message=_l("At most %(max)d characters."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=160, message=_l("At most %(max)d characters."))])
    estimated_cost_kr = IntegerField(_l("Estimated cost in kroner"), validators=[
        InputRequired(message=_l("Enter what the proposal will cost, in whole kroner.")),
        NumberRange(min=1, max=MAX_KR, message=_l("Enter an amount in whole kroner, 1 or more."))])
    idea = SelectField(_l("From one of your ideas (optional)"), choices=[], validate_choice=False)


class ReviewForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=[("feasible", _l("Feasible")), ("not_feasible", _l("Not feasible"))])
    cost_kr = IntegerField(_l("Cost the municipality stands behind (kr)"), validators=[
        Optional(), NumberRange(min=1, max=MAX_KR, message=_l("Enter an amount in whole kroner, 1 or more."))])
    reason = TextAreaField(_l("Reason (shown to the proposer and the public)"), validators=[
        Optional(), Length(max=2000, message=_l("At most %(max)d characters."))])


class SpendingForm(BaseForm):
    spent_kr = IntegerField(_l("Spent so far (kr)"), validators=[
        InputRequired(message=_l("Enter an amount in whole kroner.")),
        NumberRange(min=0, max=MAX_KR, message=_l("Enter an amount in whole kroner, 0 or more."))])


class AssistedForm(BaseForm):
    email = StringField(_l("The resident's e-mail address"), validators=[
        DataRequired(message=_l("Enter the resident's e-mail address.")), Length(max=254)])
