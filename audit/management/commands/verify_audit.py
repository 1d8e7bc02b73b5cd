"""python manage.py verify_audit [--checkpoints FILE] [--json]"""
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.chain import CANONICAL_FIELDS
from audit.models import AuditCheckpoint, AuditEvent, AuditHead, AuditVerification
from audit.services import checkpoint_mac, checkpoint_path
from audit.verification import VerificationResult, read_checkpoints, verify_rows


class Command(BaseCommand):
    help = ("Verify the audit trail: sequence gaps, hash links, every recomputed hash, the head, "
            "and agreement with the signed checkpoints. Exit 0 only if all hold.")

    def add_arguments(self, parser):
        parser.add_argument("--checkpoints", metavar="FILE",
                            help="checkpoint file (default: settings.AUDIT_CHECKPOINT_FILE if it exists)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, checkpoints=None, json: bool = False, **options):
        points, bad_lines, missing = self._checkpoints(checkpoints)
        head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
        rows = (
            AuditEvent.objects.order_by("seq")
            .values_list(*CANONICAL_FIELDS, "hash")
            .iterator(chunk_size=20000)
        )
        result = verify_rows(rows, head=head, checkpoints=points)
        for line, problem in bad_lines:
            result.fail(None, f"checkpoint file line {line}: {problem}")
        if missing:
            result.fail(None, missing)
        AuditVerification.objects.create(
            ok=result.ok, events=result.events, head_seq=result.head_seq, head_hash=result.head_hash,
            first_bad_seq=result.first_bad_seq, problem=result.problem, checkpoints=result.checkpoints,
            seconds=result.seconds,
        )
        self._report(result, as_json=json)
        if not result.ok:
            sys.exit(1)

    def _checkpoints(self, path):
        """(checkpoints read, bad lines, what is missing): the file, checked against the checkpoints
        recorded as written to it. Checkpoints that were made and are gone are a failure."""
        file = Path(path if path is not None else settings.AUDIT_CHECKPOINT_FILE)
        recorded = list(AuditCheckpoint.objects.filter(file=checkpoint_path(file)).order_by("id"))
        if not file.is_file():
            if recorded:
                return [], [], (f"checkpoint file missing: {file} ({len(recorded)} checkpoint(s) were written to it, "
                                f"the last for event #{recorded[-1].seq} at {recorded[-1].made_at})")
            if path is not None:
                raise CommandError(f"checkpoint file not found: {path}")
            return [], [], ""
        points, bad = read_checkpoints(file, checkpoint_mac)
        present = {(p.seq, p.mac) for p in points}
        gone = [r for r in recorded if (r.seq, r.mac) not in present]
        missing = (f"checkpoint file lost {len(gone)} recorded checkpoint(s), the first for event #{gone[0].seq} "
                   f"at {gone[0].made_at}" if gone else "")
        return points, bad, missing

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
