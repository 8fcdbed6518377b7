"""Gather phase 2 and the decode runs of `targets_gpu.sh` (2026-11-27, a 4-H200 host) into the results:

- runtime.csv: one row per cell pooled over the shards (niah_single at 10M, n = 120; niah_multivalue at 1M, n = 75), in
  place of the row of the same method, task, length, budget, device and model (10M: n = 4 before, 1M multivalue: n = 20;
  those samples stay in runtime_gpu_2026-11-26*/ and git history). The shards ran 24 (10M) + 3 (1M) processes at once on
  4 GPUs and 64 cores, so their ingest_tok_s and query_s are contended figures, not the write path alone.
- speed_decode_autotune.csv: speed.csv's columns + `run` (dec1, dec2, dec3: one process per GPU, each with its own
  generate and transformers-graph baselines).

  python reports/scripts/targets_collect.py reports/results/targets_2026-11-27
"""
import csv, gzip, json, sys
from pathlib import Path

import pandas as pd

from icmos.bench_runtime import COLUMNS, KEY, aggregate


def main(root):
    root, res = Path(root), Path(root).parent
    shards = pd.read_csv(root / 'big' / 'shards.csv')
    rows = []
    for f in sorted((root / 'big').glob('*.jsonl.gz')):
        with gzip.open(f, 'rt') as fh: recs = [json.loads(line) for line in fh]
        (m, t, L), = {(r['method'], r['task'], r['length']) for r in recs}
        sh = shards[(shards.method == m) & (shards.task == t) & (shards.context_tokens == L)]
        assert sh.n.sum() == len(recs), (f, sh.n.sum(), len(recs))
        (dev, label, budget), = set(zip(sh.device, sh.model, sh.budget_tokens))
        row = aggregate(m, t, L, int(budget), recs, dev, label)
        row['peak_host_mb'] = sh.peak_host_mb.max()  # the largest shard process, not this one
        rows.append(row)
    new = pd.DataFrame(rows)[COLUMNS]
    path = res / 'runtime.csv'  # rewritten line by line (the other rows byte for byte), new rows as the bench writes them
    keys = {tuple(str(r[k]) for k in KEY) for r in rows}
    with path.open(newline='') as f: lines = f.readlines()
    head, kept = lines[0], [l for l in lines[1:] if tuple(next(csv.DictReader([lines[0], l]))[k] for k in KEY) not in keys]
    with path.open('w', newline='') as f:
        f.writelines([head, *kept]); w = csv.DictWriter(f, COLUMNS); w.writerows(rows)
    print(new.to_string(index=False)); print(f'runtime.csv: {len(lines) - 1} -> {len(kept) + len(rows)} rows')
    dec = []
    for d in sorted((root / 'dec').iterdir()):
        r = pd.read_csv(d / 'decode_variants.csv'); r['run'] = d.name; dec.append(r)
    pd.concat(dec).to_csv(res / 'speed_decode_autotune.csv', index=False)
    print(pd.concat(dec).to_string(index=False))


if __name__ == '__main__':
    main(sys.argv[1])
