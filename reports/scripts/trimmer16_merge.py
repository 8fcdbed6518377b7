"""Issue 16, session 10: the shards of reports/scripts/trimmer16_gpu.sh (one row per sample: `--rows-every 1`, tasks in turn) as
rows of trimmer.csv's columns, and the paired comparison of the Trimmer with the best press.
    python reports/scripts/trimmer16_merge.py SHARD_DIR OUT_PREFIX
Writes OUT_PREFIX.csv (every cell, all the samples it finished: `merge_rows`) and OUT_PREFIX_summary.csv: per (length, ratio,
policy) the mean accuracy over the QA tasks on the samples that the Trimmer and every press in PAIRED reached (the same prompts),
and for the Trimmer its margin over the best of them with a 95% paired bootstrap interval (samples resampled within each task)."""
import sys
from pathlib import Path
import numpy as np
import pandas as pd
from icmos.trimmer import merge_rows

QA = ['niah_single', 'niah_multikey', 'blockfacts', 'prose_needle']
PAIRED = ['streaming', 'snapkv', 'tova']  # the presses that reached every sample (knorm, h2o and expected_attention are slower)

def shards(d: Path) -> pd.DataFrame:
    dfs = []
    for f in sorted(d.glob('s[48]_*.csv')):
        df = pd.read_csv(f)
        if len(df): dfs.append(df.assign(sample=df.groupby(['task', 'context_tokens', 'compression_ratio']).cumcount()))
    return pd.concat(dfs, ignore_index=True)

def main(d: str, out: str) -> int:
    raw = shards(Path(d))
    merge_rows(raw.drop(columns='sample')).to_csv(f'{out}.csv', index=False, na_rep='nan')
    rng, rows = np.random.default_rng(0), []
    for (L, r), g in raw[raw.task.isin(QA) & (raw.compression_ratio > 0)].groupby(['context_tokens', 'compression_ratio']):
        acc = g.pivot_table(index=['task', 'sample'], columns='policy', values='accuracy')
        both = acc[['trimmer'] + PAIRED].dropna()  # the prompts every paired policy answered
        per_task = {t: both.loc[t] for t in QA if t in both.index.get_level_values(0)}
        mean = lambda col, idx=None: np.mean([(x if idx is None else x.iloc[idx[t]])[col].mean() for t, x in per_task.items()])
        best = max(PAIRED, key=lambda p: mean(p))
        boots = []
        for _ in range(2000):
            idx = {t: rng.integers(0, len(x), len(x)) for t, x in per_task.items()}
            boots.append(mean('trimmer', idx) - mean(best, idx))
        for p in acc.columns:  # every policy on its own samples too (n per task may differ)
            own = acc[p].dropna()
            rows.append(dict(context_tokens=L, compression_ratio=r, policy=p, qa_mean_paired=round(mean(p), 4) if p in both else np.nan,
                             n_paired_min=min(len(x) for x in per_task.values()) if p in both else 0,
                             qa_mean_own=round(np.mean([own.loc[t].mean() for t in QA if t in own.index.get_level_values(0)]), 4),
                             n_own_min=min(len(own.loc[t]) if t in own.index.get_level_values(0) else 0 for t in QA),
                             best_press=best if p == 'trimmer' else '',
                             margin=round(mean('trimmer') - mean(best), 4) if p == 'trimmer' else np.nan,
                             margin_lo=round(np.percentile(boots, 2.5), 4) if p == 'trimmer' else np.nan,
                             margin_hi=round(np.percentile(boots, 97.5), 4) if p == 'trimmer' else np.nan))
    s = pd.DataFrame(rows)
    s.to_csv(f'{out}_summary.csv', index=False, na_rep='nan')
    print(s.to_string())
    return 0

if __name__ == '__main__': sys.exit(main(*sys.argv[1:]))
