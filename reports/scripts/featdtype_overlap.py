"""Issue 16, session 14: kept-set overlap of Trimmer(feat_dtype='model') (features in bf16, float32 accumulation) vs the float32 features,
SmolLM2-135M in bfloat16 on the CPU with the v3 checkpoint (sinks=4, window=0.25), batched eviction; for scale, the overlap of the
float32 model vs the bfloat16 model (both float32 features). Per (layer, head): |A ∩ B| / k; the mean, the share of identical sets, the
minimum. Writes CSV to stdout:  python reports/scripts/featdtype_overlap.py > reports/results/trimmer_featdtype_overlap_s14.csv"""
import torch, csv, sys
from icmos.core import ICMOSConfig, load_model, prefill
from icmos.kv import Observer, PositionedCache, evict
from icmos.trimmer import load_trimmer, default_checkpoint, Trimmer, _bench_prompt, sample_depth
torch.set_num_threads(2)
mods = {dt: load_model(ICMOSConfig(device='cpu', dtype=dt)) for dt in ('bfloat16', 'float32')}
tok = mods['float32'][1]
sc = load_trimmer(default_checkpoint('trimmer-smollm2-v3'), mods['float32'][0])
def kept(model, ids, chunk, budget, fd):
    pol = Trimmer(budget=budget, scorer=sc, sinks=4, window=0.25, feat_dtype=fd)
    with Observer(model) as ob, torch.no_grad():
        _, c = prefill(model, ids, cache=PositionedCache(model), chunk_size=chunk, on_chunk=lambda cc: evict(cc, pol, ob, batched=True))
    return torch.stack([l.extra['trim_pos'] for l in c.layers])  # (L, b, H, k) absolute positions kept
def ov(a, b):  # mean over (layer, head) of |A & B| / k, and the share of (layer, head) with identical sets
    L, _, H, k = a.shape
    o = [len(set(a[l, 0, h].tolist()) & set(b[l, 0, h].tolist())) / k for l in range(L) for h in range(H)]
    return round(sum(o) / len(o), 5), round(sum(x == 1 for x in o) / len(o), 4), round(min(o), 4)
w = csv.writer(sys.stdout); w.writerow(['task', 'tokens', 'chunk', 'budget', 'seed', 'comparison', 'mean_overlap', 'share_identical', 'min_overlap'])
for task, L, chunk, budget in [('niah_single', 2000, 2000, 500), ('niah_multikey', 3000, 3000, 750), ('niah_single', 4000, 512, 1024)]:
    for seed in (0, 1):
        ids = _bench_prompt(tok, task, L, seed, sample_depth(seed, 2))[0]
        n = ids.shape[1]
        a = kept(mods['bfloat16'][0], ids, min(chunk, n), budget, 'float32')
        b = kept(mods['bfloat16'][0], ids, min(chunk, n), budget, 'model')
        f = kept(mods['float32'][0], ids, min(chunk, n), budget, 'float32')
        w.writerow([task, n, min(chunk, n), budget, seed, 'bf16 model: feat_dtype=model vs float32', *ov(a, b)])
        w.writerow([task, n, min(chunk, n), budget, seed, 'float32 model vs bf16 model (float32 features)', *ov(f, a)]); sys.stdout.flush()
