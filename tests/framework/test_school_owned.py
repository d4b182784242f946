"""Every row of a school is ``SchoolScoped`` (``objects.for_user``); those that belong to
it directly are ``SchoolOwned`` (the ``school`` column), the others name a path to it."""

import pytest
from django.apps import apps
from django.db import models

from logistics.common.models import SchoolOwned, SchoolScoped
from logistics.common.querysets import ScopedQuerySet
from logistics.models import School

# Our apps (Django's own and third-party models are not ours to scope).
APPS = ("logistics", "safety", "canteen", "assets", "dormitory")

# Concrete models that are no school's rows, and why.
NOT_SCOPED = {
    "logistics.District": "above the schools: a district viewer reads its schools",
    "logistics.PasswordCheckThrottle": "a counter of one account, read by its primary key",
    "logistics.TechnicianTrade": "a trade of one person, read through the person",
}


def our_models():
    return [
        model
        for config in apps.get_app_configs()
        if config.label in APPS
        for model in config.get_models()
    ]


def label(model):
    return model._meta.label


def test_every_model_of_a_school_is_scoped():
    unscoped = [
        label(m)
        for m in our_models()
        if not issubclass(m, SchoolScoped) and label(m) not in NOT_SCOPED
    ]
    assert not unscoped, f"not SchoolScoped (nor listed in NOT_SCOPED with a reason): {unscoped}"
    assert set(NOT_SCOPED) <= {label(m) for m in our_models()}, "NOT_SCOPED names a lost model"


@pytest.mark.parametrize("model", our_models(), ids=label)
def test_a_school_column_means_school_owned(model):
    field = next((f for f in model._meta.get_fields() if f.name == "school"), None)
    direct = isinstance(field, models.ForeignKey) and field.related_model is School
    assert direct == issubclass(model, SchoolOwned), label(model)
    if direct:
        assert model.school_path == "school", label(model)
        assert field.remote_field.on_delete is models.PROTECT, label(model)


@pytest.mark.parametrize(
    "model", [m for m in our_models() if issubclass(m, SchoolScoped)], ids=label
)
def test_school_path_leads_to_the_school(model):
    assert isinstance(model._default_manager.all(), ScopedQuerySet), label(model)
    current = model
    for hop in filter(None, model.school_path.split("__")):
        current = current._meta.get_field(hop).related_model
    assert current is School, (label(model), model.school_path)


@pytest.mark.django_db
def test_for_user_through_the_path(school, other_school, make_user):
    from logistics.models import Room
    from tests import factories

    mine = factories.RoomFactory(building__school=school)
    factories.RoomFactory(building__school=other_school)
    user = make_user("staff", school)
    assert list(Room.objects.for_user(user)) == [mine]
    assert list(School.objects.for_user(user)) == [school]
