"""Revised copies of the reference plan (昆政办发〔2017〕169号) for the revision tests."""
from tests.conftest import REFERENCE_PLAN

TASK_32 = ("\n\t\n\t\n\t32．建立法治政府建设年度报告制度，每年向社会公开本部门法治政府建设情况。\n"
           "\t市政府法制办\n\t市政府各部门\n")


def reference_text() -> str:
    return REFERENCE_PLAN.read_text(encoding="utf-8")


def narrowed_16_plus_32() -> bytes:
    """Task 16's 有关区镇 narrowed to two named zones, and a new task 32."""
    text = reference_text()
    start = text.index("\t16．")
    end = text.index("\t17．")
    block = text[start:end]
    assert "有关区镇" in block
    text = text[:start] + block.replace("有关区镇", "昆山开发区、昆山高新区", 1) + text[end:]
    return (text.rstrip("\n") + "\n" + TASK_32).encode("utf-8")


def without_31() -> bytes:
    """Task 31 removed."""
    text = reference_text()
    return text[:text.index("\t31．")].rstrip() .encode("utf-8") + b"\n"
