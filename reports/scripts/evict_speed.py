"""Issue 16/13: what one eviction costs beside the prefill it follows, per policy, layer by layer vs batched (`icmos.kv.evict`).
For each length and policy: the prompt is prefilled in one chunk (Observer open for that policy, as `icmos bench trimmer` does: since
issue 16 the Trimmer's per-token features are computed in its hooks, so they count in `prefill_s`, not `evict_s`), then evicted to
(1 - ratio) of its length; `prefill_s` and `evict_s` are medians over --reps timed runs after one warm-up (CUDA synchronised; since session 11 the runs of
all (policy, batched) pairs are interleaved, rep by rep, and the 10th / 90th percentiles are written beside the medians),
`kernels` counts the device kernels (CUDA) or aten calls (CPU) of one eviction (torch.profiler), `same_as_layerwise` checks the
batched choice against the layer-by-layer one. A row per (length, policy, batched) is appended to --out as soon as it is measured.
  python reports/scripts/evict_speed.py --device cuda --dtype bfloat16 --lengths 4096,8192 --out evict_speed.csv
  (CPU check: --device cpu --dtype float32 --lengths 600 --reps 1)"""
import argparse, csv, os, statistics, sys, time
import numpy as np
import torch
from torch.profiler import profile, ProfilerActivity
from icmos.core import ICMOSConfig, load_model, prefill
from icmos.eval import device_name
from icmos.kv import Observer, PositionedCache, evict
from icmos.presses import ratio_budget
from icmos.trimmer import default_checkpoint, load_trimmer, _policy

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None); p.add_argument('--device', default='cpu'); p.add_argument('--dtype', default='float32')
p.add_argument('--lengths', default='4096,8192'); p.add_argument('--ratio', type=float, default=0.75); p.add_argument('--reps', type=int, default=20)
p.add_argument('--policies', nargs='+', default=['streaming', 'tova', 'snapkv', 'knorm', 'trimmer[sinks=4;window=0.25]'])
p.add_argument('--checkpoint', default=str(default_checkpoint('trimmer-smollm2-v3'))); p.add_argument('--out', required=True)
a = p.parse_args()
cfg = ICMOSConfig(device=a.device, dtype=a.dtype, **({'model': a.model} if a.model else {}))
model, tok = load_model(cfg)
sc = load_trimmer(a.checkpoint, model).to(model.device)
dev, cuda = device_name(model), model.device.type == 'cuda'
sync = (lambda: torch.cuda.synchronize()) if cuda else (lambda: None)
cols = ['policy', 'context_tokens', 'budget_tokens', 'batched', 'reps', 'prefill_s', 'evict_s', 'tok_s', 'kernels', 'same_as_layerwise', 'dtype', 'device',
        'prefill_p10_s', 'prefill_p90_s', 'evict_p10_s', 'evict_p90_s']
new = not os.path.exists(a.out) or os.path.getsize(a.out) == 0
if not new and open(a.out).readline().strip().split(',') != cols: sys.exit(f'{a.out} has other columns (an older run of this script): give another --out')
f = open(a.out, 'a', newline=''); w = csv.DictWriter(f, cols)
if new: w.writeheader()
g = torch.Generator().manual_seed(0)

def run(pol, ids, batched, ob):
    ob.policy = pol  # its `observe` runs in the hooks during the prefill
    sync(); t0 = time.perf_counter()
    logits, c = prefill(model, ids, cache=PositionedCache(model), chunk_size=ids.shape[1])
    sync(); t1 = time.perf_counter()
    evict(c, pol, ob, batched=batched)
    sync(); t2 = time.perf_counter()
    return t1 - t0, t2 - t1, torch.stack([l.pos for l in c.layers]).cpu()

def kernels(pol, ids, batched, ob):
    "Device kernels (CUDA) or aten calls (CPU) of one eviction."
    ob.policy = pol
    logits, c = prefill(model, ids, cache=PositionedCache(model), chunk_size=ids.shape[1])
    with profile(activities=[ProfilerActivity.CUDA] if cuda else [ProfilerActivity.CPU]) as prof:
        evict(c, pol, ob, batched=batched); sync()
    return sum(e.count for e in prof.key_averages() if (e.device_type.name == 'CUDA' if cuda else e.key.startswith('aten::')))

q = lambda xs, p: float(np.percentile(xs, p))
for L in map(int, a.lengths.split(',')):
    ids = torch.randint(200, 40000, (1, L), generator=g).to(model.device)
    budget = ratio_budget(L, a.ratio)
    combos = [(name, batched) for name in a.policies for batched in (False, True)]
    pols = {c: _policy(c[0], budget, sc) for c in combos}
    ts, kept = {c: [] for c in combos}, {}
    with Observer(model) as ob, torch.no_grad():
        for c in combos: run(pols[c], ids, c[1], ob)  # warm-up
        for r in range(a.reps):  # interleaved: each rep times every (policy, batched) once, so drift of the host hits all alike
            for c in combos:
                t = run(pols[c], ids, c[1], ob); ts[c].append(t[:2]); kept[c] = t[2]
        ks = {c: kernels(pols[c], ids, c[1], ob) for c in combos}
    for c in combos:
        name, batched = c
        P, E = [t[0] for t in ts[c]], [t[1] for t in ts[c]]
        ps, es = statistics.median(P), statistics.median(E)
        row = dict(policy=name, context_tokens=L, budget_tokens=budget, batched=batched, reps=a.reps, prefill_s=round(ps, 5),
                   evict_s=round(es, 5), tok_s=round(L / (ps + es), 1), kernels=ks[c],
                   same_as_layerwise='' if not batched else bool(torch.equal(kept[c], kept[(name, False)])), dtype=a.dtype, device=dev,
                   prefill_p10_s=round(q(P, 10), 5), prefill_p90_s=round(q(P, 90), 5), evict_p10_s=round(q(E, 10), 5), evict_p90_s=round(q(E, 90), 5))
        w.writerow(row); f.flush(); print(row, flush=True)
