"""Issue 16: the shard CSVs of reports/scripts/trimmer_v3_gpu.sh (rows of one sample each) as rows of trimmer.csv's columns.
    python reports/scripts/trimmer_v3_merge.py RESULT_DIR [W]
g0_*.csv (presses, `full`, the shipped scorer with and without structure) and b_*.csv keep their policy names; g1_*.csv (the scorer
trained by the same run) get '+v3' (`trimmer[sinks=4;window=0.25]+v3`). Writes RESULT_DIR/trimmer_v3.csv (every cell all the samples
it finished) and RESULT_DIR/trimmer_v3_common.csv (per task, the samples that every g0 policy and the trained scorer at its own
window W reached: the same prompts for all; the trained scorer's other windows are left out of it)."""
import sys
from pathlib import Path
import pandas as pd
from icmos.trimmer import BENCH_COLUMNS, merge_rows

def read(files, suffix=''):
    dfs = [d for d in (pd.read_csv(f) for f in files if f.stat().st_size) if len(d)]
    df = pd.concat(dfs, ignore_index=True) if dfs else pd.DataFrame(columns=BENCH_COLUMNS)
    return df.assign(policy=df.policy + suffix)

def main(r: str, w: str = '0.25') -> int:
    r = Path(r)
    base = read(sorted(r.glob('g0_*.csv')) + sorted(r.glob('b_*.csv')))
    v3 = read(sorted(r.glob('g1_*.csv')), '+v3')
    own = v3.policy == f'trimmer[sinks=4;window={w}]+v3'
    every = merge_rows(pd.concat([d for d in (base, v3) if len(d)] or [base], ignore_index=True))
    common = merge_rows(pd.concat([d for d in (base, v3[own]) if len(d)] or [base], ignore_index=True), common=True)
    for name, df in (('trimmer_v3.csv', every), ('trimmer_v3_common.csv', common)):
        df.to_csv(r / name, index=False, na_rep='nan')  # as trimmer.csv spells a missing ppl
        print(f'{r / name}: {len(df)} rows')
    if len(common):
        t = common.pivot_table(index='policy', columns=['compression_ratio', 'task'], values='accuracy')
        print(common.groupby('task').n.min().to_string(), '\n', t.round(2).to_string(), sep='')
    return 0

if __name__ == '__main__': sys.exit(main(*sys.argv[1:]))
