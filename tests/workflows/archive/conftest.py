import pytest

from tests.workflows.services.test_evidence import MINIMAL_PDF, PNG, raw_upload
from tests.world import build_world
from workflows.services import assignments as flow
from workflows.services import evidence as ev

REPORT = ("我单位已按要求完成第一项任务：一、制定权力清单和责任清单；二、建立动态调整机制。\n"
          "全年共组织培训12场，覆盖人员达到100%，行政执法人员人均学时不少于40学时。")
REPORT_FIRST = "初次报送：已制定工作方案，正在推进落实。"
RETURN_REASON = "佐证材料不全，请补充2017年度工作台账及会议纪要。"
REVIEW_OPINION = "材料齐全，同意报送验收。"
ACCEPT_OPINION = "经验收，该项任务已按期完成，同意办结。"


def walk_to_accepted(world, capture, *, files=(("工作方案.pdf", MINIMAL_PDF), ("现场照片.png", PNG))):
    """Take the world's assignment from 已交办 to 已验收办结 with one return on the way."""
    a = world.assignment
    flow.assignment_start(actor=world.submitter, assignment_id=a.pk)
    for name, data in files:
        ev.evidence_upload(actor=world.submitter, assignment_id=a.pk, upload=raw_upload(data, name))
    flow.assignment_submit(actor=world.submitter, assignment_id=a.pk, report=REPORT_FIRST)
    flow.assignment_return(actor=world.reviewer, assignment_id=a.pk, reason=RETURN_REASON)
    ev.evidence_upload(actor=world.submitter, assignment_id=a.pk,
                       upload=raw_upload(MINIMAL_PDF + b"%ledger\n", "工作台账（2017年度）.pdf"))
    flow.assignment_submit(actor=world.submitter, assignment_id=a.pk, report=REPORT)
    flow.assignment_approve(actor=world.reviewer, assignment_id=a.pk, opinion=REVIEW_OPINION)
    with capture(execute=True):
        flow.assignment_accept(actor=world.supervisor, assignment_id=a.pk, opinion=ACCEPT_OPINION)
    return world.reload()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def accepted(world, django_capture_on_commit_callbacks):
    walk_to_accepted(world, django_capture_on_commit_callbacks)
    return world
