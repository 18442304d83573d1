"""Project operations: only the council's own members manage, followers comment, hiding needs a reason."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import ContentReport, DomainError, Idea, db
from models.audit import report_content
from models.projects import (comment_on_update, create_project, edit_project, follow_project, is_following,
                             link_to_project, post_update, set_hidden, unfollow_project, unlink_from_project)
from tests.factories import aware

NOW = aware(2026, 3, 2, 9, 0)


@pytest.fixture
def world(app, make):
    member, outsider, citizen = make.user("council"), make.user("council"), make.user()
    council = make.council(members=[member])
    make.council(members=[outsider])
    return member, outsider, citizen, council


def test_members_create_and_edit_their_councils_projects_others_cannot(world, make):
    member, outsider, _citizen, council = world
    project = create_project(council, actor=member, now=NOW, title="Grønt torv", goal="Træer på torvet",
                             area="Lyngby", budget_kr=25000, status="active", progress=10)
    assert project.id and project.created_by_id == member.id and project.created_at == NOW
    with pytest.raises(DomainError) as caught:
        create_project(council, actor=outsider, now=NOW, title="Overtaget", goal="x")
    assert caught.value.code == "not_council_member"
    with pytest.raises(DomainError):
        edit_project(project, actor=outsider, now=NOW, title="Overtaget")
    edit_project(project, actor=member, now=NOW, progress=60, status="active")
    assert project.progress == 60 and project.title == "Grønt torv"


@pytest.mark.parametrize("fields, code", [({"progress": 101}, "invalid_progress"), ({"status": "done"}, "invalid_status"),
                                          ({"budget_kr": -1}, "invalid_budget")])
def test_project_fields_are_checked(world, fields, code):
    member, _o, _c, council = world
    with pytest.raises(DomainError) as caught:
        create_project(council, actor=member, now=NOW, title="T", goal="G", **fields)
    assert caught.value.code == code


def test_update_moves_progress_and_needs_text(world, make):
    member, outsider, _c, council = world
    project = make.project(council, progress=10)
    update = post_update(project, actor=member, now=NOW, body="  Halvvejs  ", progress=50)
    assert update.body == "Halvvejs" and project.progress == 50
    post_update(project, actor=member, now=NOW, body="Uden tal")
    assert project.progress == 50
    for kwargs, code in (({"body": "   "}, "empty_update"), ({"body": "x", "progress": 120}, "invalid_progress")):
        with pytest.raises(DomainError) as caught:
            post_update(project, actor=member, now=NOW, **kwargs)
        assert caught.value.code == code
    with pytest.raises(DomainError):
        post_update(project, actor=outsider, now=NOW, body="Ikke dit råd")


def test_follow_is_idempotent_and_only_followers_comment(world, make):
    member, _o, citizen, council = world
    project = make.project(council)
    update = make.project_update(project, author=member)
    with pytest.raises(DomainError) as caught:
        comment_on_update(update, actor=citizen, now=NOW, body="Godt!")
    assert caught.value.code == "not_follower"
    first = follow_project(project, user=citizen, now=NOW)
    assert follow_project(project, user=citizen, now=NOW).id == first.id
    comment = comment_on_update(update, actor=citizen, now=NOW, body=" Godt! ")
    assert comment.body == "Godt!" and is_following(project, citizen)
    # council members may answer without following
    comment_on_update(update, actor=member, now=NOW, body="Tak")
    assert unfollow_project(project, user=citizen, now=NOW) is True
    assert unfollow_project(project, user=citizen, now=NOW) is False
    assert not is_following(project, citizen)


def test_hidden_update_takes_no_comments_and_hiding_needs_a_reason(world, make):
    member, _o, citizen, council = world
    project = make.project(council)
    update = make.project_update(project, author=member)
    follow_project(project, user=citizen, now=NOW)
    comment = make.update_comment(update, citizen)
    with pytest.raises(DomainError) as caught:
        set_hidden(comment, actor=member, now=NOW, hidden=True, reason="  ")
    assert caught.value.code == "reason_required"
    set_hidden(comment, actor=member, now=NOW, hidden=True, reason="Personangreb")
    assert comment.hidden and comment.hidden_reason == "Personangreb"
    set_hidden(comment, actor=member, now=NOW, hidden=False)
    assert not comment.hidden and comment.hidden_reason is None
    set_hidden(update, actor=member, now=NOW, hidden=True, reason="Fejl i teksten")
    with pytest.raises(DomainError) as caught:
        comment_on_update(update, actor=citizen, now=NOW, body="Hej")
    assert caught.value.code == "update_hidden"
    with pytest.raises(TypeError):
        set_hidden(project, actor=member, now=NOW, hidden=True, reason="x")


def test_link_and_unlink_ideas_and_tasks(world, make):
    member, outsider, citizen, council = world
    project = make.project(council)
    idea = Idea(initiator_id=citizen.id, title="Bænke", what="Flere bænke ved søen")
    task = make.task(make.institution())
    db.session.add(idea)
    db.session.flush()
    link_to_project(project, idea, actor=member, now=NOW)
    link_to_project(project, task, actor=member, now=NOW)
    assert idea.project_id == project.id and task.project_id == project.id
    with pytest.raises(DomainError):
        unlink_from_project(project, task, actor=outsider, now=NOW)
    unlink_from_project(project, task, actor=member, now=NOW)
    assert task.project_id is None
    with pytest.raises(DomainError) as caught:
        unlink_from_project(project, task, actor=member, now=NOW)
    assert caught.value.code == "not_linked"
    idea.hidden = True
    with pytest.raises(DomainError) as caught:
        link_to_project(make.project(council), idea, actor=member, now=NOW)
    assert caught.value.code == "item_hidden"


def test_an_item_of_another_councils_project_is_not_taken_over(world, make):
    member, outsider, citizen, council = world
    theirs = make.project(make.council(members=[outsider]))
    mine, also_mine = make.project(council), make.project(council)
    idea = Idea(initiator_id=citizen.id, title="Bænke", what="Flere bænke ved søen")
    task = make.task(make.institution())
    db.session.add(idea)
    db.session.flush()
    link_to_project(theirs, idea, actor=outsider, now=NOW)
    link_to_project(theirs, task, actor=outsider, now=NOW)
    for item in (idea, task):
        with pytest.raises(DomainError) as caught:
            link_to_project(mine, item, actor=member, now=NOW)
        assert caught.value.code == "linked_elsewhere"
        assert item.project_id == theirs.id
    # Within one council an item may move from one project to another.
    unlink_from_project(theirs, task, actor=outsider, now=NOW)
    link_to_project(mine, task, actor=member, now=NOW)
    link_to_project(also_mine, task, actor=member, now=NOW)
    assert task.project_id == also_mine.id
    link_to_project(also_mine, task, actor=member, now=NOW)  # linking again changes nothing
    assert task.project_id == also_mine.id


@pytest.mark.parametrize("status, allowed", [("draft", False), ("cancelled", False), ("open", True),
                                             ("closed", True)])
def test_only_published_tasks_are_linked(world, make, status, allowed):
    member, _outsider, _citizen, council = world
    project = make.project(council)
    task = make.task(make.institution(), status=status)
    if allowed:
        link_to_project(project, task, actor=member, now=NOW)
        assert task.project_id == project.id
    else:
        with pytest.raises(DomainError) as caught:
            link_to_project(project, task, actor=member, now=NOW)
        assert caught.value.code == "task_not_linkable" and task.project_id is None


@pytest.mark.parametrize("code, danish", [("linked_elsewhere", "andet lokalråds projekt"),
                                          ("task_not_linkable", "kladde eller en aflyst opgave")])
def test_link_refusals_have_a_danish_message(app, code, danish):
    from portal.councils.views import message_for
    with app.test_request_context("/"):
        assert danish in message_for(DomainError(code))


def test_reports_need_a_reason_and_are_not_doubled(world, make):
    member, _o, citizen, council = world
    update = make.project_update(make.project(council), author=member)
    with pytest.raises(DomainError):
        report_content("update", update.id, reporter=citizen, now=NOW, reason=" ")
    first = report_content("update", update.id, reporter=citizen, now=NOW, reason="Forkerte oplysninger")
    again = report_content("update", update.id, reporter=citizen, now=NOW, reason="Igen")
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(ContentReport)) == 1
    with pytest.raises(ValueError):
        report_content("project", 1, reporter=citizen, now=NOW, reason="x")
