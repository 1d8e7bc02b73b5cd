"""makemessages that also reads ``_l(…)``: the screens and the API alias gettext_lazy as ``_l``, which
xgettext does not know by default, so their labels and help texts would never reach the catalogue."""
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
