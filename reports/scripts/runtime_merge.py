"""Merge collected GPU results of `reports/scripts/runtime_gpu.sh` into reports/results/runtime.csv (issue 12).

python reports/scripts/runtime_merge.py --tag v2 RES_DIR[:METHOD,METHOD] [...]
- a RES_DIR's job CSV rows and samples are taken whole, or only for the listed methods (a run whose other methods were
  measured with code since changed);
- every new row replaces the row of the same (method, task, context_tokens) in runtime.csv; a cell whose samples are
  split over several jobs or machines (or cut before its row was written) gets a row aggregated from all its samples
  (each seed once), with that n;
- the runtime's own rows (icmos*, rag_hybrid, oracle) of the read path being replaced, whether re-measured or not, move
  to runtime_<tag>.csv with their samples (runtime_samples_<tag>.jsonl.gz); the other methods' rows stay;
- a RES_DIR's solo.csv (one process alone on the GPU: write speed and query latency) goes to runtime_speed.csv;
- --keep METHOD,METHOD: those runtime rows (and their samples) stay in runtime.csv as they are, for a new read path whose change
  cannot touch them (session 25: `icmos` re-measured with top_k_open=2, `rag_hybrid` and `oracle` kept); they are copied to
  runtime_<tag>.csv too, so that file holds the whole replaced grid.
"""
import argparse, csv, gzip, json, shutil
from collections import defaultdict
from pathlib import Path

from icmos.bench_runtime import aggregate

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--tag', required=True, help='suffix of the files the replaced read path moves to (e.g. v2)')
p.add_argument('--keep', default='', help='comma-separated runtime methods whose rows and samples stay in runtime.csv')
p.add_argument('dirs', nargs='+')
a = p.parse_args()
if (Path('reports/results') / f'runtime_{a.tag}.csv').exists():
    p.error(f'reports/results/runtime_{a.tag}.csv exists: a second merge with this tag would overwrite the replaced path\'s rows with these')
out = Path('reports/results')
key = lambda r: (r['method'], r['task'], int(r['context_tokens']))
ours = lambda m: m.startswith('icmos') or m in ('rag_hybrid', 'oracle')
new, samples, solo = {}, [], []
for spec in a.dirs:
    d, _, only = spec.partition(':')
    d, only = Path(d), set(filter(None, only.split(',')))
    take = lambda m: not only or m in only
    for f in sorted(d.glob('j*.csv')):
        for r in csv.DictReader(open(f)):
            if take(r['method']): new[key(r)] = r
    for f in sorted(d.glob('j*.jsonl')):
        for line in open(f):
            s = json.loads(line)
            if take(s['method']): samples.append({**s, 'job': f'{d.parent.name}/{f.stem}'})
    if (d / 'solo.csv').exists(): solo += list(csv.DictReader(open(d / 'solo.csv')))
dev, model = next(iter(new.values()))['device'], next(iter(new.values()))['model']
cells = defaultdict(list)
for s in samples: cells[(s['method'], s['task'], int(s['length']))].append(s)
for k, recs in cells.items():
    recs = list({r['seed']: r for r in recs}.values())  # a seed once (a cell may be split over jobs and machines)
    if k not in new or len(recs) > int(new[k]['n']):
        new[k] = {c: ('' if v != v else v) for c, v in aggregate(k[0], k[1], k[2], 2048, recs, dev, model).items()}
old = list(csv.DictReader(open(out / 'runtime.csv')))
hdr = list(old[0].keys())
moved = [r for r in old if ours(r['method'])]
kept = set(filter(None, a.keep.split(',')))
if any(not ours(m) for m in kept): p.error(f'--keep: {sorted(m for m in kept if not ours(m))} are not runtime methods (their rows stay anyway)')
keep = [r for r in old if key(r) not in new and (not ours(r['method']) or r['method'] in kept)]
with open(out / f'runtime_{a.tag}.csv', 'w', newline='') as o:
    w = csv.DictWriter(o, hdr); w.writeheader(); w.writerows(moved)
shutil.copy(out / 'runtime_samples.jsonl.gz', out / f'runtime_samples_{a.tag}.jsonl.gz')
with open(out / 'runtime.csv', 'w', newline='') as o:
    w = csv.DictWriter(o, hdr); w.writeheader(); w.writerows(keep + [{c: r.get(c, '') for c in hdr} for r in new.values()])
carried = [json.loads(l) for l in gzip.open(out / f'runtime_samples_{a.tag}.jsonl.gz', 'rt')]  # every sample whose row stays
carried = [s for s in carried if (not ours(s['method']) or s['method'] in kept) and (s['method'], s['task'], int(s['length'])) not in new]
with gzip.open(out / 'runtime_samples.jsonl.gz', 'wt') as o:
    for s in carried + samples: o.write(json.dumps(s) + '\n')
if solo:
    with open(out / 'runtime_speed.csv', 'w', newline='') as o:
        w = csv.DictWriter(o, hdr); w.writeheader(); w.writerows([{c: r.get(c, '') for c in hdr} for r in solo])
print(f'{len(new)} new rows, {len(keep)} other rows kept, {len(moved)} rows of the replaced path in runtime_{a.tag}.csv, '
      f'{len(samples)} new samples, {len(carried)} kept, {len(solo)} solo rows')
