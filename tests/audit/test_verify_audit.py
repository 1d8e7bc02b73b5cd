"""verify_audit finds every kind of tampering and names the first bad sequence number."""
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from audit import triggers
from audit.chain import CANONICAL_FIELDS, event_hash
from audit.models import AuditEvent, AuditHead, AuditVerification
from audit.services import record_event, write_checkpoint
from tests.audit.helpers import raw

pytestmark = pytest.mark.django_db


def verify(*args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("verify_audit", "--json", *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


@pytest.fixture
def chain(tmp_path):
    for index in range(6):
        record_event(action="unit.changed", target_label=f"event {index + 1}", reason=f"r{index}")
    return tmp_path / "checkpoints.jsonl"


def rehash_from(seq: int) -> None:
    """What an attacker with the database would do: recompute every hash from ``seq`` on."""
    previous = AuditEvent.objects.get(pk=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = previous
        new_hash = event_hash(tuple(getattr(event, f) for f in CANONICAL_FIELDS))
        raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [previous, new_hash, event.seq])
        previous = new_hash
    raw("UPDATE audit_audithead SET hash = %s", [previous])


def test_an_intact_chain_verifies_and_reports_count_and_head(chain):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    head = AuditHead.objects.get()
    assert "verified 6 events" in out.getvalue() and head.hash in out.getvalue()
    assert AuditVerification.objects.latest().ok is True


def test_an_edited_row_is_found_at_its_sequence_number(chain):
    triggers.remove(connection)
    raw("UPDATE audit_auditevent SET reason = 'nothing happened' WHERE seq = 3")
    code, result = verify()
    assert code == 1
    assert result["first_bad_seq"] == 3 and "事件被改动" in result["problem"]
    assert AuditVerification.objects.latest().first_bad_seq == 3


def test_a_deleted_row_is_found_as_a_gap(chain):
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE seq = 4")
    code, result = verify()
    assert code == 1
    assert result["first_bad_seq"] == 4 and "序号缺口" in result["problem"]


def test_a_rehashed_suffix_passes_the_links_but_not_the_checkpoint(chain):
    write_checkpoint(chain)  # vouches for event 6
    triggers.remove(connection)
    raw("UPDATE audit_auditevent SET reason = 'rewritten' WHERE seq = 5")
    rehash_from(5)

    assert verify()[0] == 0  # without checkpoints, a full rewrite is self-consistent
    code, result = verify("--checkpoints", str(chain))
    assert code == 1
    assert result["first_bad_seq"] == 6
    assert "历史被改写" in result["problem"] and "1–6" in result["problem"]


def test_checkpoints_narrow_down_where_the_rewrite_starts(chain):
    for _ in range(2):
        record_event(action="unit.changed")
    # checkpoints after event 8 only: rewrite event 7 onwards
    write_checkpoint(chain)
    record_event(action="unit.changed")
    write_checkpoint(chain)
    triggers.remove(connection)
    raw("UPDATE audit_auditevent SET reason = 'rewritten' WHERE seq = 9")
    rehash_from(9)
    code, result = verify("--checkpoints", str(chain))
    assert code == 1 and result["first_bad_seq"] == 9 and "9–9" in result["problem"]


def test_removed_tail_events_disagree_with_a_later_checkpoint(chain):
    write_checkpoint(chain)
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE seq >= 5")
    raw("UPDATE audit_audithead SET seq = 4, hash = (SELECT hash FROM audit_auditevent WHERE seq = 4)")
    code, result = verify("--checkpoints", str(chain))
    assert code == 1 and result["first_bad_seq"] == 5 and "事件缺失" in result["problem"]


def test_an_edited_checkpoint_line_is_refused(chain):
    write_checkpoint(chain)
    line = json.loads(chain.read_text())
    line["seq"] = 3
    chain.write_text(json.dumps(line) + "\n")
    code, result = verify("--checkpoints", str(chain))
    assert code == 1 and "检查点签名不符" in result["problem"]


def test_a_head_row_that_disagrees_with_the_chain_is_reported(chain):
    raw("UPDATE audit_audithead SET seq = 9")
    code, result = verify()
    assert code == 1 and "链头记录为第 9 条事件" in result["problem"]


def test_checkpoint_command_appends_a_signed_line(chain, settings):
    out = io.StringIO()
    call_command("audit_checkpoint", "--file", str(chain), stdout=out)
    call_command("audit_checkpoint", "--file", str(chain), stdout=out)
    lines = [json.loads(text) for text in chain.read_text().splitlines()]
    assert [item["seq"] for item in lines] == [6, 6]
    assert lines[0]["alg"] == "HMAC-SHA256" and len(lines[0]["mac"]) == 64


def test_checkpoints_need_a_key_from_the_environment(chain, settings):
    from django.core.management import CommandError

    settings.AUDIT_CHECKPOINT_KEY = ""
    with pytest.raises(CommandError, match="AUDIT_CHECKPOINT_KEY"):
        call_command("audit_checkpoint", "--file", str(chain), stdout=io.StringIO())
