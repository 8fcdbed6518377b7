"""Issue 16: the shards of reports/scripts/trimmer16_gpu.sh (one row per sample: `--rows-every 1`, tasks in turn) as rows of
trimmer.csv's columns, and the paired comparison of the Trimmer with the best press.
    python reports/scripts/trimmer16_merge.py OUT_PREFIX SHARD_DIR [SHARD_DIR ...]
Shards: s4_<policy>.csv / s8_<policy>.csv (one prefill at 4K / 8,000 tokens, every task and ratio), l32_<policy>_<task>.csv /
l128_<policy>_<task>.csv (block by block); a name ending in `_from<K>` holds samples K, K+1, ... (`--start K`: the prompts a full run
gives them), so a sample met twice (a resumed run that redid one) counts once, its first row.
Writes OUT_PREFIX.csv (every cell, all the samples it finished: `merge_rows`) and OUT_PREFIX_summary.csv: per (length, ratio,
policy) the mean accuracy over the QA tasks on the samples that the Trimmer and every paired press reached (the same prompts), and
for the Trimmer its margin over the best paired press with a 95% paired bootstrap interval (samples resampled within each task),
and the prompts (all tasks) only it answered (`wins`), only the press answered (`losses`), with an exact sign test (`sign_p`,
`icmos.eval.sign_test`): the percentile interval is unreliable when nearly every answer is 0.
A press is paired when it reached at least MIN_PAIRED of the Trimmer's samples in every task (or all of them, if the Trimmer
reached fewer); the others are shown on their own
samples (`qa_mean_own`, `n_own_min`).
A shard folder may hold `aliases.txt`, lines `old=new`: its rows of policy `old` are read as `new` (session 18's shards ran plain
`trimmer`, which since 0fa3929 means bf16 features: `trimmer=trimmer[feat_dtype=model]` keeps them apart from the float32 series).
Env TRIMMER: the policy compared with the presses (default 'trimmer'; session 17: 'trimmer[feat_dtype=model]')."""
import os, re, sys
from pathlib import Path
import numpy as np
import pandas as pd
from icmos.eval import sign_test
from icmos.trimmer import merge_rows

QA = ['niah_single', 'niah_multikey', 'blockfacts', 'prose_needle']
PRESSES = ['streaming', 'knorm', 'snapkv', 'tova', 'h2o', 'expected_attention']
MIN_PAIRED = int(os.environ.get("MIN_PAIRED", 30))  # env MIN_PAIRED: session 16 pairs the 32K cells at 60 (streaming, TOVA and the Trimmer topped up past 30)
CELL = ['policy', 'task', 'context_tokens', 'compression_ratio']
TRIM = os.environ.get('TRIMMER', 'trimmer')  # env TRIMMER: the policy compared with the presses (session 17: 'trimmer[feat_dtype=model]')

def shards(dirs) -> pd.DataFrame:
    dfs = []
    for d in dirs:
        al = Path(d) / 'aliases.txt'
        alias = dict(l.split('=', 1) for l in al.read_text().split() if '=' in l) if al.exists() else {}
        for f in sorted(Path(d).glob('[sl]*_*.csv')):
            if not re.match(r'(s4|s8|l32|l128)_', f.name): continue
            df = pd.read_csv(f); df['policy'] = df.policy.replace(alias)
            m = re.search(r'_from(\d+)$', f.stem)
            if len(df): dfs.append(df.assign(sample=df.groupby(CELL).cumcount() + (int(m.group(1)) if m else 0), shard=f'{Path(d).name}/{f.name}'))
    raw = pd.concat(dfs, ignore_index=True)
    return raw.drop_duplicates(CELL + ['sample'], keep='first')

def summary(raw: pd.DataFrame) -> pd.DataFrame:
    rng, rows = np.random.default_rng(0), []
    for (L, r), g in raw[raw.task.isin(QA) & (raw.compression_ratio > 0)].groupby(['context_tokens', 'compression_ratio']):
        acc = g.pivot_table(index=['task', 'sample'], columns='policy', values='accuracy')
        if TRIM not in acc: continue
        tr = acc[TRIM].dropna()
        cover = lambda p: min((acc.loc[t, p].reindex(tr.loc[t].index).notna().sum() if t in tr.index.get_level_values(0) else 0) for t in QA)
        need = min(MIN_PAIRED, min(len(tr.loc[t]) if t in tr.index.get_level_values(0) else 0 for t in QA))
        paired = [p for p in PRESSES if p in acc and cover(p) >= need]
        both = acc[[TRIM] + paired].dropna()  # the prompts every paired policy answered
        per_task = {t: both.loc[t] for t in QA if t in both.index.get_level_values(0)}
        mean = lambda col, idx=None: np.mean([(x if idx is None else x.iloc[idx[t]])[col].mean() for t, x in per_task.items()])
        best = max(paired, key=lambda p: mean(p)) if paired else None
        boots = []
        for _ in range(2000 if best else 0):
            idx = {t: rng.integers(0, len(x), len(x)) for t, x in per_task.items()}
            boots.append(mean(TRIM, idx) - mean(best, idx))
        if best:  # binary tasks: prompts the Trimmer answered and the best press did not (wins), and the reverse (losses)
            tb, pb = both[TRIM] > 0.5, both[best] > 0.5
            wins, losses = int((tb & ~pb).sum()), int((~tb & pb).sum())
        for p in acc.columns:  # every policy on its own samples too (n per task may differ)
            own = acc[p].dropna()
            is_t = p == TRIM and best is not None
            rows.append(dict(context_tokens=L, compression_ratio=r, policy=p,
                             qa_mean_paired=round(mean(p), 4) if p in both and per_task else np.nan,
                             n_paired_min=min(len(x) for x in per_task.values()) if p in both and per_task else 0,
                             qa_mean_own=round(np.mean([own.loc[t].mean() for t in QA if t in own.index.get_level_values(0)]), 4),
                             n_own_min=min(len(own.loc[t]) if t in own.index.get_level_values(0) else 0 for t in QA),
                             best_press=best if is_t else '',
                             margin=round(mean(TRIM) - mean(best), 4) if is_t else np.nan,
                             margin_lo=round(np.percentile(boots, 2.5), 4) if is_t else np.nan,
                             margin_hi=round(np.percentile(boots, 97.5), 4) if is_t else np.nan,
                             wins=wins if is_t else np.nan, losses=losses if is_t else np.nan,
                             sign_p=round(sign_test(wins, losses), 4) if is_t else np.nan))
    return pd.DataFrame(rows)

def main(out: str, *dirs: str) -> int:
    if not dirs: sys.exit(__doc__)
    raw = shards(dirs)
    merge_rows(raw.drop(columns=['sample', 'shard'])).to_csv(f'{out}.csv', index=False, na_rep='nan')
    s = summary(raw)
    s.to_csv(f'{out}_summary.csv', index=False, na_rep='nan')
    print(s.to_string())
    return 0

if __name__ == '__main__': sys.exit(main(*sys.argv[1:]))
