"""python manage.py verify_audit [--checkpoints FILE] [--json]"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from audit.services import CheckpointFileNotFound, verify_trail
from audit.verification import VerificationResult


class Command(BaseCommand):
    help = ("Verify the audit trail: sequence gaps, hash links, every recomputed hash, the head, "
            "and agreement with the signed checkpoints. Exit 0 only if all hold.")

    def add_arguments(self, parser):
        parser.add_argument("--checkpoints", metavar="FILE",
                            help="checkpoint file (default: settings.AUDIT_CHECKPOINT_FILE if it exists)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, checkpoints=None, json: bool = False, **options):
        try:
            result = verify_trail(checkpoints)
        except CheckpointFileNotFound as error:
            raise CommandError(str(error)) from None
        self._report(result, as_json=json)
        if not result.ok:
            sys.exit(1)

    def _report(self, result: VerificationResult, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(_dumps(result.to_dict()))
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"OK: verified {result.events} events in {result.seconds:.2f} s; head #{result.head_seq} "
                f"{result.head_hash}; {result.checkpoints} checkpoint(s) agree"))
        else:
            where = f"first bad sequence number: {result.first_bad_seq}" if result.first_bad_seq else "checkpoint file"
            self.stderr.write(self.style.ERROR(f"FAILED: {where}: {result.problem} "
                                               f"({result.events} events verified before it)"))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
