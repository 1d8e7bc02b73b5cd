import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from workflows.models import Unit, UnitKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-1234")


class PlanAdministratorFactory(UserFactory):
    """A user holding the administrator's right to import plans."""

    @factory.post_generation
    def grant(self, create, extracted, **kwargs):
        self.user_permissions.add(
            *Permission.objects.filter(codename__in=["add_plan", "change_unit"], content_type__app_label="workflows")
        )


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("short_name",)

    short_name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.MUNICIPAL


def fresh(user):
    """The user as a new request loads it: no role or permission cached from an earlier question."""
    return get_user_model().objects.get(pk=user.pk)


def inactive(user):
    """The user, deactivated (as an administrator would), freshly loaded."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return fresh(user)
