"""The forms that ask a signed-in person for their own password again (re-authentication):
the password change page and the admin's. The check is throttled per account
(``logistics.services.people.password_check``)."""

from django.contrib.admin.forms import AdminPasswordChangeForm as DjangoAdminPasswordChangeForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError

from logistics.services import people


class ThrottledOldPasswordMixin:
    """``old_password`` is checked through the throttle; ``paused`` holds the pause (a
    ``PasswordChecksPaused``) when the check was refused unchecked."""

    paused = None

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        try:
            right = people.password_check(user=self.user, password=old_password)
        except people.PasswordChecksPaused as paused:
            self.paused = paused
            raise ValidationError(paused.message, code="paused") from None
        if not right:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordChangeForm(ThrottledOldPasswordMixin, DjangoPasswordChangeForm):
    pass


class AdminPasswordChangeForm(ThrottledOldPasswordMixin, DjangoAdminPasswordChangeForm):
    pass
