"""Join the training histories of writer_run.py runs into one CSV: `part` (writer / distiller), `run` (a label), the columns each wrote.

  python reports/scripts/writer_histories.py reports/results/writer_train_cpu.csv LABEL=RUN_DIR [LABEL=RUN_DIR ...]
"""
import sys
from pathlib import Path

import pandas as pd


def main(out, *runs):
    parts = []
    for spec in runs:
        label, d = spec.split('=', 1)
        for part in ('writer', 'distiller'):
            f = Path(d) / f'{part}_history.csv'
            if f.exists(): parts.append(pd.read_csv(f).assign(part=part, run=label))
    if not parts: sys.exit('no *_history.csv under the given run folders')
    df = pd.concat(parts, ignore_index=True)
    df[['part', 'run'] + [c for c in df.columns if c not in ('part', 'run')]].to_csv(out, index=False)
    print(f'{len(df)} rows -> {out}')


if __name__ == '__main__':
    if len(sys.argv) < 3: sys.exit(__doc__)
    main(*sys.argv[1:])
