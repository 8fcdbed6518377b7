"""Session 18's 32K Trimmer shards (reports/results/trimmer18_2026-11-28): does their peak_gpu_mb follow the eviction-graph captures?
For each shard's prompts (the bench's samples: seeds and needle depths as `icmos bench trimmer --n 120 --rows-every 1 [--start 30]`),
the prompt's token count, then `Trimmer.evict_all`'s graph keys replayed on the CPU without a model (chunks of 2048 evicted to 4096:
the first eviction unmoved, the steady block, the last block, a decode step), with its capture rule (a key's second sighting, at most
`_GRAPHS` graphs held, the sighting counts cleared past 64) -> captures per prompt, and the CUDA streams those captures had touched:
a new `torch.cuda.Stream` per capture (before 7f1dcaf) plus `torch.cuda.graph`'s own, at most PyTorch's pool of 32. Then a line fitted
to the peaks of the prompts without a capture, once the four graphs are held. Writes --out (a row per prompt) and prints the fits.
  python reports/scripts/trimmer18_capture_fit.py --out reports/results/trimmer18_capture_fit.csv   (CPU, ~1 min: tokenising)"""
import argparse, csv
from pathlib import Path
import numpy as np
from icmos.core import ICMOSConfig, _resolve, encode_prompt
from icmos.tasks import make_sample
from icmos.trimmer import _GRAPHS, sample_depth

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--shards', default='reports/results/trimmer18_2026-11-28'); p.add_argument('--out', required=True)
a = p.parse_args()
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained(str(_resolve('smollm2', ICMOSConfig().cache_dir)[0]))

def keys(N, C=2048, B=4096, steps=4): # the evictions of one prompt that reach `evict_all` (more than B tokens, state held)
    n, has, moved, out = 0, False, False, []
    for s in range(0, N, C):
        c = min(C, N - s); n += c
        if n > B and has: out.append(('block', c, n, moved)); moved, n = True, B
        has = True
    return out + [('decode', 1, B + 1, True)] * steps

def simulate(lengths): # captures per prompt under `Trimmer.evict_all`'s rule
    graphs, counts, per = {}, {}, []
    for N in lengths:
        k0 = sum(per); caps = 0
        for k in keys(N):
            G = graphs.pop(k, None)
            if G is None:
                counts[k] = counts.get(k, 0) + 1
                if counts[k] < 2: continue
                if len(counts) > 64: counts.clear()
                caps += 1; G = 1
            graphs[k] = G
            if len(graphs) > _GRAPHS: graphs.pop(next(iter(graphs)))
        per.append(caps)
    return per

rows = []
for f in sorted(Path(a.shards).glob('l32_trimmer_*.csv')):
    task, start = f.stem.removeprefix('l32_trimmer_').split('_from')[0], int(f.stem.split('_from')[1]) if '_from' in f.stem else 0
    pk = np.array([float(r['peak_gpu_mb']) for r in csv.DictReader(f.open())])
    toks = [encode_prompt(tok, (s := make_sample(task, tok, 32000, i, depth=sample_depth(i, 120, True))).context, s.question).n_tokens
            for i in range(start, start + len(pk))]
    per = np.array(simulate(toks)); cum = np.cumsum(per); st = np.minimum(32, cum + 1)
    rows += [dict(shard=f.stem, prompt=i, seed=start + i, tokens=toks[i], captures=int(per[i]), capture_streams=int(st[i]), peak_gpu_mb=pk[i])
             for i in range(len(pk))]
    held = np.arange(len(pk)) > int(np.argmax(cum >= 4)) if (cum >= 4).any() else np.zeros(len(pk), bool)  # the 4th graph (a last block's) held
    m = (per == 0) & held & (pk > 2000)  # a few prompts far below the rest (an early stop?) left out
    fit = f'{np.polyfit(st[m], pk[m], 1)[0] / 1.048576:.1f} MiB per stream (n = {m.sum()}, streams {st[m].min()}-{st[m].max()})' if len(set(st[m])) > 1 else 'no fit (one stream count)'
    print(f'{f.stem}: {cum[-1]} captures, {st[-1]} streams; peak {pk[1]:.0f} -> {pk[-1]:.0f} MB; {fit}', flush=True)
with open(a.out, 'w', newline='') as fo:
    w = csv.DictWriter(fo, list(rows[0])); w.writeheader(); w.writerows(rows)
