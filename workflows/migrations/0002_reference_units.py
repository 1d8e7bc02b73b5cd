"""Ship every unit the reference notice (昆政办发〔2017〕169号) names, and the group terms.

The administrator edits these in the admin or replaces them with `import_units`.
"""
from django.db import migrations

# (short name, full name, kind)
UNITS = [
    ("市编办", "昆山市机构编制委员会办公室", "municipal"),
    ("市政府法制办", "昆山市人民政府法制办公室", "municipal"),
    ("市政府办", "昆山市人民政府办公室", "municipal"),
    ("市发改委", "昆山市发展和改革委员会", "municipal"),
    ("市财政局", "昆山市财政局", "municipal"),
    ("市物价局", "昆山市物价局", "municipal"),
    ("市国税局", "昆山市国家税务局", "municipal"),
    ("市地税局", "昆山市地方税务局", "municipal"),
    ("市城管局", "昆山市城市管理局", "municipal"),
    ("市政务办", "昆山市政务服务管理办公室", "municipal"),
    ("市市场监管局", "昆山市市场监督管理局", "municipal"),
    ("市科技局", "昆山市科学技术局", "municipal"),
    ("市商务局", "昆山市商务局", "municipal"),
    ("市信用办", "昆山市社会信用体系建设领导小组办公室", "municipal"),
    ("市民政局", "昆山市民政局", "municipal"),
    ("市人社局", "昆山市人力资源和社会保障局", "municipal"),
    ("市监察局", "昆山市监察局", "municipal"),
    ("市审计局", "昆山市审计局", "municipal"),
    ("市维稳办", "昆山市维护稳定工作领导小组办公室", "municipal"),
    ("市司法局", "昆山市司法局", "municipal"),
    ("市信访局", "昆山市信访局", "municipal"),
    ("市检察院", "昆山市人民检察院", "other"),
    # The notice is addressed to the four zones' administrative committees and the towns (区镇).
    ("昆山开发区", "昆山经济技术开发区管理委员会", "district"),
    ("昆山高新区", "昆山高新技术产业开发区管理委员会", "district"),
    ("花桥经济开发区", "花桥经济开发区管理委员会", "district"),
    ("旅游度假区", "昆山旅游度假区管理委员会", "district"),
    ("张浦镇", "张浦镇人民政府", "district"),
    ("周市镇", "周市镇人民政府", "district"),
    ("陆家镇", "陆家镇人民政府", "district"),
    ("千灯镇", "千灯镇人民政府", "district"),
    ("淀山湖镇", "淀山湖镇人民政府", "district"),
    ("周庄镇", "周庄镇人民政府", "district"),
    ("锦溪镇", "锦溪镇人民政府", "district"),
    ("巴城镇", "巴城镇人民政府", "district"),
]
ALIASES = {
    "市政府法制办": ["市法制办"],
    "市政府办": ["市政府办公室"],
    "市市场监管局": ["市场监管局"],
}
# (term, kind, scope): see DOMAIN notes — "all" expands, "relevant" is chosen at dispatch.
GROUP_TERMS = [
    ("市政府各部门", "municipal", "all"),
    ("市各委办局", "municipal", "all"),
    ("市政府相关部门", "municipal", "relevant"),
    ("市各有关部门", "municipal", "relevant"),
    ("各区镇", "district", "all"),
    ("有关区镇", "district", "relevant"),
    ("相关区镇", "district", "relevant"),
    ("各城市管理办事处", "urban_office", "all"),
]


def load(apps, schema_editor):
    Unit = apps.get_model("workflows", "Unit")
    UnitAlias = apps.get_model("workflows", "UnitAlias")
    GroupTerm = apps.get_model("workflows", "GroupTerm")
    for order, (short_name, full_name, kind) in enumerate(UNITS, start=1):
        unit, _ = Unit.objects.get_or_create(
            short_name=short_name, defaults={"full_name": full_name, "kind": kind, "order": order * 10}
        )
        for alias in ALIASES.get(short_name, []):
            UnitAlias.objects.get_or_create(name=alias, defaults={"unit": unit})
    for term, kind, scope in GROUP_TERMS:
        GroupTerm.objects.get_or_create(term=term, defaults={"kind": kind, "scope": scope})


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
