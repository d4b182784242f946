"""The form of the QR sticker page: which building (and floor) to print. The service
(``stickers.clean_sticker_params``) checks the same again when the sheet is asked for."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from logistics.models import Building
from logistics.repairs.services import stickers


class StickerForm(forms.Form):
    building = forms.ModelChoiceField(
        queryset=Building.objects.none(),
        label=gettext_lazy("Building"),
        empty_label=gettext_lazy("Choose a building"),
    )
    floor = forms.IntegerField(
        label=gettext_lazy("Floor"),
        required=False,
        min_value=stickers.FLOOR_MIN,
        max_value=stickers.FLOOR_MAX,
        help_text=gettext_lazy("Leave empty for every floor; negative for basements."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["building"]
        field.queryset = stickers.sticker_buildings(school)
        field.label_from_instance = lambda building: (
            ngettext("%(name)s (%(count)s room)", "%(name)s (%(count)s rooms)", building.room_count)
            % {"name": building.name, "count": building.room_count}
        )

    def clean_floor(self):
        floor = self.cleaned_data["floor"]
        if floor == 0:
            raise forms.ValidationError(_("There is no floor 0: basements are -1, -2…"))
        return floor
