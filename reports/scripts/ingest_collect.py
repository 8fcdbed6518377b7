"""Gather `ingest_gpu.sh` runs (issue 12, write-path speed) into two CSVs:
runtime_ingest.csv (the benchmark rows, runtime.csv's columns + `run`) and runtime_ingest_stages.csv (seconds per write
stage of every sample: the worker stages are CPU seconds summed over the workers, the others wall seconds of the main
process).

  python reports/scripts/ingest_collect.py reports/results/ingest_2026-11-27 run1 run2 run3-old run3-new
"""
import gzip, json, re, sys
from pathlib import Path

import pandas as pd

# what each run measured: the code it ran (commit), what workers='auto' meant there (the default of RuntimeConfig.workers
# at the time, on the 16-core H200 machine), and how DNII inserts and MiniLM calls were made
RUNS = {'run1': dict(commit='15364e1', auto_workers=15, dnii_inserts='per piece', minilm_calls='per piece'),
        'run2': dict(commit='b51cc20', auto_workers=8, dnii_inserts='batched (65,536)', minilm_calls='per piece'),
        # run 3 (reports/scripts/targets_gpu.sh, phase 1; 4-H200 host, GPU 0): old and new code in alternating rounds
        'run3-old': dict(commit='e858bec', auto_workers=0, dnii_inserts='per piece', minilm_calls='per piece'),
        'run3-new': dict(commit='930b021', auto_workers=8, dnii_inserts='batched (65,536)', minilm_calls='batched (16,384)')}


# what plain `icmos` ran with: workers='auto' was the default in runs 1 and 2, 0 since (and e858bec had no workers)
DEFAULT_WORKERS = {'run1': 15, 'run2': 8, 'run3-old': 0, 'run3-new': 0}


def _workers(run, method):
    "Worker processes of `method` in `run`: its own `workers=N`, `auto`'s count there, else the default of that code."
    m = re.search(r'workers=(\d+|auto)', method)
    if m: return RUNS[run]['auto_workers'] if m.group(1) == 'auto' else int(m.group(1))
    return DEFAULT_WORKERS[run]


def main(root, runs):
    root = Path(root); rows, stages = [], []
    for run in runs:
        d = root / run
        r = pd.read_csv(d / 'solo.csv'); r.insert(0, 'run', run)
        r.insert(1, 'workers', [_workers(run, m) for m in r.method])
        for k, v in RUNS.get(run, {}).items(): r[k] = v
        rows.append(r)
        with gzip.open(d / 'solo.jsonl.gz', 'rt') as f:
            for line in f:
                s = json.loads(line)
                stages.append(dict(run=run, method=s['method'], workers=_workers(run, s['method']), seed=s['seed'], context_tokens=s['length'],
                                   ingest_tok_s=round(s['ingest_tok_s'], 1), **s.get('write_timings', {})))
    pd.concat(rows).to_csv(root.parent / 'runtime_ingest.csv', index=False)
    pd.DataFrame(stages).to_csv(root.parent / 'runtime_ingest_stages.csv', index=False)
    print(pd.concat(rows).to_string(index=False))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])
