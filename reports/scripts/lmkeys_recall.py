"""Issue 12, the lmkeys ranker: block recall@1/@4 of each ranker alone and of their reciprocal-rank fusions, from one memory
per sample written with every ranker (so the LM pass, MiniLM and BM25 run once). Recall = the share of the sample's needed
facts lying wholly inside one of the first k blocks (as the bench's block_recall_at_4, but per ranker, before re-ranking).
  python reports/scripts/lmkeys_recall.py --device cpu --tasks niah_single,paraphrase --lengths 4K --n 6 --out reports/results/runtime_lmkeys_recall_cpu.csv
"""
import argparse, csv, json, os, sys
import numpy as np
from icmos.core import ICMOSConfig, load_model
from icmos.eval import device_name, parse_lengths
from icmos.runtime import Memory, RuntimeConfig, rrf
from icmos.tasks import make_sample
from icmos.bench_runtime import fact_recall

FUSIONS = {'bm25': ['bm25'], 'minilm': ['minilm'], 'lmkeys': ['lmkeys'], 'bm25+minilm': ['bm25', 'minilm'],
           'bm25+lmkeys': ['bm25', 'lmkeys'], 'minilm+lmkeys': ['minilm', 'lmkeys'], 'bm25+minilm+lmkeys': ['bm25', 'minilm', 'lmkeys']}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cpu'); ap.add_argument('--dtype', default='auto'); ap.add_argument('--model', default=None)
    ap.add_argument('--tasks', default='niah_single,paraphrase'); ap.add_argument('--lengths', default='4K')
    ap.add_argument('--n', type=int, default=6); ap.add_argument('--seed', type=int, default=0); ap.add_argument('--out', required=True)
    ap.add_argument('--samples-out', default=None)
    a = ap.parse_args()
    kw = dict(device=a.device, dtype=a.dtype)
    if a.model: kw['model'] = a.model
    cfg = ICMOSConfig(**kw); model, tok = load_model(cfg); dev = device_name(model)
    new = not os.path.exists(a.out); f = open(a.out, 'a', newline='')
    w = csv.DictWriter(f, ['ranker', 'task', 'context_tokens', 'n', 'recall_at_1', 'recall_at_4', 'device', 'model'])
    if new: w.writeheader()
    smp = open(a.samples_out, 'a') if a.samples_out else None
    for L in parse_lengths(a.lengths):
        for task in a.tasks.split(','):
            rec = {k: ([], []) for k in FUSIONS}
            for i in range(a.n):
                s = make_sample(task, tok, L, a.seed + i, depth=(i + 0.5) / a.n)
                mem = Memory(RuntimeConfig(rankers='bm25,minilm,lmkeys', rerank='none', kv_max_gb=64), model, tok, cfg); mem.write(s.context)
                rankings, _ = mem.rank(s.question)
                for name, parts in FUSIONS.items():
                    r = rankings[parts[0]] if len(parts) == 1 else rrf({p: rankings[p] for p in parts}, mem.cfg.rrf_k)
                    ids = [b for b, _ in r]
                    for j, k in enumerate((1, 4)): rec[name][j].append(fact_recall(s, [mem.blocks[b].text for b in ids[:k]]))
                if smp: smp.write(json.dumps({'task': task, 'length': L, 'seed': a.seed + i, 'n_blocks': len(mem.blocks),
                                              'rankings': {k: v[:8] for k, v in rankings.items()}, 'facts_in': [b.id for b in mem.blocks if fact_recall(s, [b.text]) > 0]}) + '\n'); smp.flush()
                print(task, L, i, {k: v[1][-1] for k, v in rec.items()}, file=sys.stderr, flush=True)
            for name, (r1, r4) in rec.items():
                w.writerow(dict(ranker=name, task=task, context_tokens=L, n=a.n, recall_at_1=round(float(np.mean(r1)), 3),
                                recall_at_4=round(float(np.mean(r4)), 3), device=dev, model=cfg.model)); f.flush()
    f.close()

if __name__ == '__main__': main()
