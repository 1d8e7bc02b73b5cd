"""python manage.py render_archive_pdf < report.json > archive.pdf

The child side of ``workflows.archive.isolated.render_bounded``: one report (JSON, as
``workflows.archive.report.build`` returns it) in, the unsigned PDF out. Not for people to run.
"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from workflows.archive.render import RenderError, render_pdf


class Command(BaseCommand):
    help = "从标准输入读取归档报告（JSON），把 PDF 写到标准输出（供归档任务在子进程中调用）。"

    def handle(self, *args, **options):
        report = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        try:
            pdf = render_pdf(report)
        except RenderError as exc:
            raise CommandError(str(exc)) from exc
        sys.stdout.buffer.write(pdf)
        sys.stdout.buffer.flush()
