"""Issue 16: does the Trimmer's device memory grow from prompt to prompt with the eviction graph on (the default on CUDA)? Session 16's
32K bench jobs (12 processes on one H200) ran out of memory after 14-18 prompts with the graph, never without it. Each prompt here is
prefilled block by block (chunks of C, evicted to B after every chunk) and then decoded for --decode tokens (evicted every step), as
`icmos bench trimmer --long-budget` runs it; prompt lengths vary (L +- 200), so the last block's shape changes. A row per prompt:
allocated / reserved device memory after it, the graphs held and what they reserved (`graph_mb`).
  python reports/scripts/graph_memory_growth.py --model $M --prompts 20 --out graph_memory_growth.csv [--policy 'trimmer[graph=0]']
  (CPU check: --device cpu --dtype float32 --length 1200 --chunk 256 --budget 384 --prompts 2 --decode 4)"""
import argparse, csv, os, random
import torch
from icmos.core import ICMOSConfig, greedy_decode, load_model, prefill
from icmos.kv import Observer, PositionedCache, evict
from icmos.trimmer import default_checkpoint, graph_mb, load_trimmer, _policy

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None); p.add_argument('--device', default='cuda'); p.add_argument('--dtype', default='bfloat16')
p.add_argument('--policy', default='trimmer'); p.add_argument('--length', type=int, default=32000); p.add_argument('--chunk', type=int, default=2048)
p.add_argument('--budget', type=int, default=4096); p.add_argument('--prompts', type=int, default=20); p.add_argument('--decode', type=int, default=48)
p.add_argument('--checkpoint', default=str(default_checkpoint('trimmer-smollm2-v3'))); p.add_argument('--out', required=True)
a = p.parse_args()
model, tok = load_model(ICMOSConfig(device=a.device, dtype=a.dtype, **({'model': a.model} if a.model else {})))
sc = load_trimmer(a.checkpoint, model).to(model.device)
cuda = model.device.type == 'cuda'
mb = lambda f: round(f(model.device) / 2 ** 20, 1) if cuda else 0.0
rng = random.Random(0)
new = not os.path.exists(a.out) or os.path.getsize(a.out) == 0
f = open(a.out, 'a', newline=''); w = csv.DictWriter(f, ['policy', 'prompt', 'tokens', 'allocated_mb', 'reserved_mb', 'graphs', 'graph_mb', 'device'])
if new: w.writeheader()
for i in range(a.prompts):
    n = a.length + rng.randint(-200, 200)
    ids = torch.randint(200, 40000, (1, n), generator=torch.Generator().manual_seed(i)).to(model.device)
    pol = _policy(a.policy, a.budget, sc)  # a new policy per prompt, one scorer (as the bench's TrimmerMethod)
    with torch.no_grad(), Observer(model, pol) as ob:
        step = lambda c: evict(c, pol, ob, batched=True)
        logits, cache = prefill(model, ids, cache=PositionedCache(model), chunk_size=a.chunk, on_chunk=step)
        greedy_decode(model, cache, logits, a.decode, on_step=step)
    del cache, logits
    if cuda: torch.cuda.synchronize()
    row = dict(policy=a.policy, prompt=i, tokens=n, allocated_mb=mb(torch.cuda.memory_allocated) if cuda else 0.0,
               reserved_mb=mb(torch.cuda.memory_reserved) if cuda else 0.0, graphs=len(sc.__dict__.get('_icmos_graphs', {})),
               graph_mb=round(graph_mb(sc), 1), device=str(model.device))
    w.writerow(row); f.flush(); print(row, flush=True)
