"""python manage.py audit_checkpoint [--file FILE]"""
from django.core.management.base import BaseCommand, CommandError

from audit.services import write_checkpoint


class Command(BaseCommand):
    help = ("Append a signed line (sequence number, head hash, time; HMAC-SHA256 with "
            "AUDIT_CHECKPOINT_KEY from the environment) to the checkpoint file.")

    def add_arguments(self, parser):
        parser.add_argument("--file", help="checkpoint file (default: settings.AUDIT_CHECKPOINT_FILE)")

    def handle(self, *args, file=None, **options):
        try:
            line = write_checkpoint(file)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"checkpoint: event #{line['seq']} {line['hash']} at {line['time']}")
