"""Rebuild document.xlsx: a Zhejiang district's 2022 政务公开 task table, as recovered (see SOURCE.md).

Only the document's own wording is kept here as data. The stored copy is a mirror that
converted the page to traditional characters; the characters and punctuation are kept as stored.
Run with the project's venv python:
    PYTHONPATH=. .venv/bin/python tests/workflows/importers/corpus/d_zhejiang_district_2022_openness_tasks/build.py
"""
from pathlib import Path

from tests.workflows.importers.corpus.sheets import table

# The header cell 主要工作任務 covers two columns: the section (一、…) and the sub-section ((一)…).
HEADER = ["主要工作任務", None, "任務內容", "完成時限", "責任單位"]
SECTION_1 = "一、圍繞省市區黨委政府中心工作,提升重點領域信息公開質量"
SUB_1 = "(一)聚焦“重要窗口”和共同富裕示范先行區建設加大公開力度"
SUB_2 = "(二)聚焦打造一流營商環境加大公開力度"
# section, sub-section (None = merged with the cell above), 任務內容, 完成時限, 責任單位
ROWS = [
    [SECTION_1, SUB_1,
     "1.緊緊圍繞高質量發展高品質生活先行區、城鄉區域協調發展引領區、收入分配制度改革試驗區、文明和諧美麗家園展示區“四大戰略定位”,做好共同富裕示范先行區行動計劃執行情況信息公開,集中展示建設成果。",
     "全年", "區發改局、區級其他有關部門,各街道辦事處"],
    [None, None,
     "2.加強穩進提質系列政策的集成發布、權威解讀,依法依規做好擴大有效投資相關政策和重大建設項目信息公開,積極引導市場預期。",
     "全年", "區發改局、區級其他有關部門,各街道辦事處"],
    [None, None,
     "3.開展項目預算公開試點,推動項目預算安排、使用情況等項目信息向社會公開,探索建立民生項目預算信息公示制度。",
     "12月底前", "區財政局、區級其他有關部門,各街道辦事處"],
    [None, SUB_2,
     "4.建立健全市場主體反映投資和工程建設項目審批問題的辦理和反饋機制,推動優化投資和建設環境。",
     "三季度前", "區發改局、區住建局、區級其他有關部門,各街道辦事處"],
    [None, None,
     "5.圍繞市場主體全過程公正監管,加強反壟斷、反不正當競爭、知識產權保護等領域執法信息公開,為市場主體規范健康發展營造良好環境。",
     "全年", "區市場監管局,各街道辦事處"],
    [None, None,
     "6.系統集成、智能推送減稅降費政策特別是大規模增值稅留抵退稅政策,幫助基層政府部門、市場主體第一時間知曉政策、掌握政策、享受政策。",
     "全年", "區稅務局、區級其他有關部門,各街道辦事處"],
]



def build(path: Path) -> None:
    table(HEADER, ROWS, widths=(22, 24, 60, 10, 30), merge_down=(0, 1)).save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.xlsx"))
