"""Fill a .po catalogue's untranslated entries from a JSON dictionary (msgid -> translation).

    python scripts/fill_po.py locale/en/LC_MESSAGES/django.po locale/en/translations.json

A plural entry's translation is a list [singular, plural]. Exits 1 listing what is untranslated.
"""
import json
import sys

import polib


def main(po_path: str, json_path: str) -> int:
    with open(json_path, encoding="utf-8") as handle:
        translations = json.load(handle)
    catalogue = polib.pofile(po_path)
    missing = []
    for entry in list(catalogue):
        if entry.obsolete:  # a message no longer in the code: dropped, not asked for
            catalogue.remove(entry)
            continue
        text = translations.get(entry.msgid)
        if text is None:
            missing.append(entry.msgid)
        elif entry.msgid_plural:
            entry.msgstr_plural = {0: text[0], 1: text[1]}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save()
    for msgid in missing:
        print(f"untranslated: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
