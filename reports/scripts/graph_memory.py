"""Issue 16: the device memory the Trimmer's eviction graphs cost (`Trimmer(graph=None)`, the default on CUDA, against `graph=0`).
One policy per process (so that the peaks are its own): block-by-block passes of L tokens in chunks of C evicted to B (as `icmos bench
trimmer --long-budget` runs 32K), then one-chunk prefills of --length tokens evicted to a quarter; a row per mode with the peak
reserved / allocated device memory of the process (torch.cuda.max_memory_*) and `graph_mb` (`icmos.trimmer.graph_mb`: what the
captures reserved, buffers and private pools) with the number of graphs held.
  python reports/scripts/graph_memory.py --model $M --policy 'trimmer[sinks=4;window=0.25]' --out graph_memory.csv
  python reports/scripts/graph_memory.py --model $M --policy 'trimmer[sinks=4;window=0.25;graph=0]' --out graph_memory.csv
  (CPU check: --device cpu --dtype float32 --blocks 1200:256:384 --length 600: no CUDA memory, rows of zeros)"""
import argparse, csv, os
import torch
from icmos.core import ICMOSConfig, load_model, prefill
from icmos.eval import device_name
from icmos.kv import Observer, PositionedCache, evict
from icmos.trimmer import default_checkpoint, graph_mb, load_trimmer, _policy

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None); p.add_argument('--device', default='cuda'); p.add_argument('--dtype', default='bfloat16')
p.add_argument('--policy', required=True); p.add_argument('--blocks', default='32000:2048:4096'); p.add_argument('--length', type=int, default=8000)
p.add_argument('--passes', type=int, default=3); p.add_argument('--checkpoint', default=str(default_checkpoint('trimmer-smollm2-v3')))
p.add_argument('--out', required=True)
a = p.parse_args()
model, tok = load_model(ICMOSConfig(device=a.device, dtype=a.dtype, **({'model': a.model} if a.model else {})))
sc = load_trimmer(a.checkpoint, model).to(model.device)
cuda = model.device.type == 'cuda'
mb = lambda f: round(f(model.device) / 2 ** 20, 1) if cuda else 0.0
g = torch.Generator().manual_seed(0)
new = not os.path.exists(a.out) or os.path.getsize(a.out) == 0
f = open(a.out, 'a', newline=''); w = csv.DictWriter(f, ['policy', 'mode', 'context_tokens', 'chunk_tokens', 'budget_tokens', 'passes', 'base_reserved_mb',
                                                         'peak_reserved_mb', 'peak_allocated_mb', 'graph_mb', 'graphs', 'dtype', 'device'])
if new: w.writeheader()
L, C, B = (int(float(x)) for x in a.blocks.split(':'))
for mode, n, chunk, budget in (('blocks', L, C, B), ('one_chunk', a.length, a.length, a.length // 4)):
    ids = torch.randint(200, 40000, (1, n), generator=g).to(model.device)
    pol = _policy(a.policy, budget, sc)
    if cuda: torch.cuda.synchronize(); torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    base = mb(torch.cuda.memory_reserved) if cuda else 0.0
    with torch.no_grad():
        for _ in range(a.passes):
            with Observer(model, pol) as ob:
                prefill(model, ids, cache=PositionedCache(model), chunk_size=chunk, on_chunk=lambda c: evict(c, pol, ob, batched=True))
    row = dict(policy=a.policy, mode=mode, context_tokens=n, chunk_tokens=chunk, budget_tokens=budget, passes=a.passes, base_reserved_mb=base,
               peak_reserved_mb=mb(torch.cuda.max_memory_reserved) if cuda else 0.0, peak_allocated_mb=mb(torch.cuda.max_memory_allocated) if cuda else 0.0,
               graph_mb=round(graph_mb(sc), 1), graphs=len(sc.__dict__.get('_icmos_graphs', {})), dtype=a.dtype, device=device_name(model))
    w.writerow(row); f.flush(); print(row, flush=True)
    sc.__dict__.pop('_icmos_graphs', None); sc.__dict__.pop('_icmos_graph_seen', None)  # the next mode's graphs alone
