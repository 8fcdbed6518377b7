"""The host stages whose code changed (icmos.ingest, 2026-11-28), alone, reference against new, on one 1M-token document:
unit split, BM25 words, and flattening the LM's and MiniLM's id lists. Interleaved reps; wall and thread CPU seconds
(the CPU seconds are less at the mercy of other processes on a shared machine). Each rep checks equal outputs.

  PYTHONPATH=$PWD .venv/bin/python reports/scripts/ingest_host_stages_cpu.py --length 1M --reps 7 --out reports/results/runtime_ingest_host_stages_cpu.csv
"""
import argparse, csv, sys, time

import numpy as np

import icmos.ingest as I
from icmos.core import ICMOSConfig, load_model, text_ids
from icmos.rag import load_embedder
from icmos.tasks import make_sample


def timed(f, *a, **kw):
    w, c = time.perf_counter(), time.thread_time(); r = f(*a, **kw)
    return r, time.perf_counter() - w, time.thread_time() - c


def norm(x):
    "Plain values of an output (arrays as dtype and list), to compare reference and new exactly."
    if isinstance(x, np.ndarray): return (str(x.dtype), x.tolist())
    if isinstance(x, (tuple, list)): return [norm(y) for y in x]
    return x


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--length', default='1M'); p.add_argument('--reps', type=int, default=7); p.add_argument('--out', required=True)
    a = p.parse_args(argv)
    L = int(float(a.length[:-1]) * {'K': 1000, 'M': 1_000_000}[a.length[-1].upper()]) if a.length[-1] in 'KkMm' else int(a.length)
    _, tok = load_model(ICMOSConfig(device='cpu')); _, etok = load_embedder('cpu')
    text = make_sample('niah_single', tok, L, seed=0).context
    texts = [text[s:e] for s, e in I.split_units(text, 0, 120)]
    lm, wp = text_ids(tok, texts), text_ids(etok, texts, add_special_tokens=True)
    stages = {  # stage -> (reference call, new call)
        'split': (lambda: I.split_units(text, 0, 120, _rx=I._UNIT_LAZY), lambda: I.split_units(text, 0, 120)),
        'bm25_words': (lambda: I._bm25_words_ref(texts), lambda: I._bm25_words(texts)),
        'flat_lm_ids': (lambda: I._flat_ref(lm), lambda: I._flat(lm)),
        'flat_wordpieces': (lambda: I._flat_ref(wp), lambda: I._flat(wp)),
    }
    rows = []
    for rep in range(a.reps):
        for st, (ref, new) in stages.items():
            pair = [('ref', ref), ('new', new)]
            out = {}
            for impl, f in (pair if rep % 2 == 0 else pair[::-1]):
                out[impl], w, c = timed(f)
                rows.append({'stage': st, 'impl': impl, 'rep': rep, 'chars': len(text), 'units': len(texts), 'wall_s': round(w, 4), 'cpu_s': round(c, 4)})
            if norm(out['ref']) != norm(out['new']): print(f'DIFFERENT: {st} rep {rep}', file=sys.stderr); return 1
    with open(a.out, 'w', newline='') as f:
        w = csv.DictWriter(f, list(rows[0])); w.writeheader(); w.writerows(rows)
    import pandas as pd
    print(pd.DataFrame(rows).groupby(['stage', 'impl'])[['wall_s', 'cpu_s']].median().unstack().round(3).to_string(), file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
