"""Which questions `top_k_open` changes: for each task's samples, one memory per sample, then the default read path and
`top_k_open=K` retrieve for the question (no decoding); a question is changed only when no candidate anchors it (no candidate
sentence holds half its rare words) and the blocks chosen differ. Rows: task, length, seed, anchored, the chosen blocks under
each setting, whether they differ, and whether the needed facts are read under each (read recall).

    PYTHONPATH=. python reports/scripts/top_k_open_probe.py --device cpu --tasks niah_multivalue,prose_2hop --lengths 8K --n 20 --out F.csv
"""
import argparse, csv, dataclasses, sys

from icmos.bench_runtime import decode_config, fact_recall
from icmos.cli import _config, _model_flags
from icmos.core import load_model, split_list
from icmos.eval import parse_lengths
from icmos.runtime import Memory, RuntimeConfig
from icmos.tasks import make_sample

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--tasks', required=True); p.add_argument('--lengths', default='8K'); p.add_argument('--n', type=int, default=20)
p.add_argument('--seed', type=int, default=0); p.add_argument('--k-open', type=int, default=2); p.add_argument('--out', required=True)
_model_flags(p)
a = p.parse_args()
cfg = _config(a)
model, tok = load_model(cfg)
base = RuntimeConfig(top_k_open=0); opened = dataclasses.replace(base, top_k_open=a.k_open)  # off against on (2 is the default since session 25)
cols = ['task', 'length', 'seed', 'anchored', 'chosen_default', 'chosen_open', 'differs', 'read_recall_default', 'read_recall_open']
with open(a.out, 'w', newline='') as f:
    w = csv.DictWriter(f, cols); w.writeheader()
    for L in parse_lengths(a.lengths):
        for t in split_list(a.tasks):
            for i in range(a.n):
                s = make_sample(t, tok, L, a.seed + i, depth=(i + 0.5) / a.n)
                mem = Memory(base, model, tok, decode_config(cfg, s)); mem.write(s.context)
                row = dict(task=t, length=L, seed=a.seed + i)
                for name, rc in (('default', base), ('open', opened)):
                    mem.cfg = rc
                    chosen, hops = mem.retrieve(s.question)
                    row[f'chosen_{name}'] = ' '.join(map(str, chosen))
                    row[f'read_recall_{name}'] = fact_recall(s, [mem.units.text[u] for h in hops for u in h.units])
                    if name == 'default': row['anchored'] = bool(hops[0].anchor)  # the first hop records the anchor (lookalikes='drop')
                row['differs'] = row['chosen_default'] != row['chosen_open']
                w.writerow(row); f.flush()
                print(f"{t} {L} seed {a.seed + i}: anchored={row['anchored']} differs={row['differs']}", file=sys.stderr, flush=True)
