"""Merge collected GPU results of `reports/scripts/runtime_gpu.sh` into reports/results/runtime.csv (issue 12).

python reports/scripts/runtime_merge.py RES_DIR [RES_DIR ...]
- every job CSV row of the RES_DIRs replaces the row of the same (method, task, context_tokens) in runtime.csv;
- a cell whose job was cut before it wrote its row (its samples are in the job's JSONL), or whose samples are split over
  several jobs or machines, gets a row aggregated from all its samples (each seed once), with that n;
- rows of the previous read path (methods icmos* / rag_hybrid / oracle not measured again) move to runtime_v1.csv;
- the samples go to runtime_samples.jsonl.gz (each tagged with its job), the previous file to runtime_samples_v1.jsonl.gz.
"""
import csv, glob, gzip, json, os, shutil, sys
from collections import defaultdict
from pathlib import Path
from icmos.bench_runtime import aggregate

res_dirs, out = [Path(d) for d in sys.argv[1:]], Path('reports/results')
key = lambda r: (r['method'], r['task'], int(r['context_tokens']))
new, samples = {}, []
for d in res_dirs:
    for f in sorted(d.glob('j*.csv')):
        for r in csv.DictReader(open(f)): new[key(r)] = r
    for f in sorted(d.glob('j*.jsonl')):
        for line in open(f): samples.append({**json.loads(line), 'job': f.stem})
dev, model = next(iter(new.values()))['device'], next(iter(new.values()))['model']
cells = defaultdict(list)
for s in samples: cells[(s['method'], s['task'], int(s['length']))].append(s)
for k, recs in cells.items():
    recs = list({r['seed']: r for r in recs}.values())  # a seed once (a cell may be split over jobs and machines)
    if k not in new or len(recs) > int(new[k]['n']):
        new[k] = {c: ('' if v != v else v) for c, v in aggregate(k[0], k[1], k[2], 2048, recs, dev, model).items()}
old = list(csv.DictReader(open(out / 'runtime.csv')))
hdr = list(old[0].keys())
remeasured_methods = {k[0] for k in new}
prev = [r for r in old if key(r) not in new and (r['method'].startswith('icmos') or r['method'] in ('rag_hybrid', 'oracle'))]
keep = [r for r in old if key(r) not in new and r not in prev]
if prev and not (out / 'runtime_v1.csv').exists():
    with open(out / 'runtime_v1.csv', 'w', newline='') as o:
        w = csv.DictWriter(o, hdr); w.writeheader(); w.writerows([r for r in old if r['method'].startswith('icmos') or r['method'] in ('rag_hybrid', 'oracle')])
    shutil.copy(out / 'runtime_samples.jsonl.gz', out / 'runtime_samples_v1.jsonl.gz')
with open(out / 'runtime.csv', 'w', newline='') as o:
    w = csv.DictWriter(o, hdr); w.writeheader(); w.writerows(keep + [{c: r.get(c, '') for c in hdr} for r in new.values()])
with gzip.open(out / 'runtime_samples.jsonl.gz', 'wt') as o:
    for s in samples: o.write(json.dumps(s) + '\n')
print(f'{len(new)} new rows, {len(keep)} kept, {len(prev)} previous-path rows only in runtime_v1.csv, {len(samples)} samples')
