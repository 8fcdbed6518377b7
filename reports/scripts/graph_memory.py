"""Issue 16: the device memory the Trimmer's eviction graphs cost (`Trimmer(graph=None)`, the default on CUDA, against `graph=0`).
One policy per process, so that the peaks are its own. Two measurements, a row each to --out:
- by mode (default): block-by-block passes of L tokens in chunks of C evicted to B (as `icmos bench trimmer --long-budget` runs 32K),
  then one-chunk prefills of --length tokens evicted to a quarter; a row per mode with the peak reserved / allocated device memory
  (torch.cuda.max_memory_*) and `graph_mb` (`icmos.trimmer.graph_mb`: what the captures reserved, buffers and private pools) with the
  number of graphs held;
- `--prompts N`: does memory grow from prompt to prompt? N prompts of L +- 200 tokens (the last block's shape changes), each
  prefilled block by block and decoded for --decode tokens (evicted every step) with a new policy on one scorer (as the bench's
  `TrimmerMethod` does); a row per prompt with the allocated / reserved memory after it. (Session 16's 32K bench ran out of memory
  after 13-18 prompts: each prompt's observer kept its scorer and graphs alive, fixed in b9848e6.)
  python reports/scripts/graph_memory.py --model $M --policy 'trimmer[sinks=4;window=0.25]' --out graph_memory.csv
  python reports/scripts/graph_memory.py --model $M --policy 'trimmer[sinks=4;window=0.25;graph=0]' --out graph_memory.csv
  python reports/scripts/graph_memory.py --model $M --policy trimmer --prompts 14 --out graph_memory_growth.csv
  (CPU check: --device cpu --dtype float32 --blocks 1200:256:384 --length 600 --passes 1 [--prompts 2 --decode 4]: rows of zeros)"""
import argparse, csv, os, random
import torch
from icmos.core import ICMOSConfig, greedy_decode, load_model, prefill
from icmos.eval import device_name
from icmos.kv import Observer, PositionedCache, evict
from icmos.trimmer import default_checkpoint, graph_mb, load_trimmer, _policy

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None); p.add_argument('--device', default='cuda'); p.add_argument('--dtype', default='bfloat16')
p.add_argument('--policy', required=True); p.add_argument('--blocks', default='32000:2048:4096'); p.add_argument('--length', type=int, default=8000)
p.add_argument('--passes', type=int, default=3); p.add_argument('--prompts', type=int, default=0, help='per-prompt growth rows instead of the modes')
p.add_argument('--decode', type=int, default=48); p.add_argument('--checkpoint', default=str(default_checkpoint('trimmer-smollm2-v3')))
p.add_argument('--out', required=True)
a = p.parse_args()
model, tok = load_model(ICMOSConfig(device=a.device, dtype=a.dtype, **({'model': a.model} if a.model else {})))
sc = load_trimmer(a.checkpoint, model).to(model.device)
cuda = model.device.type == 'cuda'
mb = lambda f: round(f(model.device) / 2 ** 20, 1) if cuda else 0.0
L, C, B = (int(float(x)) for x in a.blocks.split(':'))
cols = (['policy', 'prompt', 'tokens', 'allocated_mb', 'reserved_mb', 'graphs', 'graph_mb', 'device'] if a.prompts else
        ['policy', 'mode', 'context_tokens', 'chunk_tokens', 'budget_tokens', 'passes', 'base_reserved_mb', 'peak_reserved_mb',
         'peak_allocated_mb', 'graph_mb', 'graphs', 'dtype', 'device'])
new = not os.path.exists(a.out) or os.path.getsize(a.out) == 0
f = open(a.out, 'a', newline=''); w = csv.DictWriter(f, cols)
if new: w.writeheader()
held = lambda: dict(graph_mb=round(graph_mb(sc), 1), graphs=len(sc.__dict__.get('_icmos_graphs', {})))

def run(ids, chunk, budget, decode=0):
    "One prompt: prefilled in chunks, evicted to `budget` after each (batched), then `decode` tokens evicted every step."
    pol = _policy(a.policy, budget, sc)  # a new policy per prompt, one scorer (as the bench's TrimmerMethod)
    with torch.no_grad(), Observer(model, pol) as ob:
        step = lambda c: evict(c, pol, ob, batched=True)
        logits, cache = prefill(model, ids, cache=PositionedCache(model), chunk_size=chunk, on_chunk=step)
        if decode: greedy_decode(model, cache, logits, decode, on_step=step)

if a.prompts:
    rng = random.Random(0)
    for i in range(a.prompts):
        n = L + rng.randint(-200, 200)
        run(torch.randint(200, 40000, (1, n), generator=torch.Generator().manual_seed(i)).to(model.device), C, B, a.decode)
        if cuda: torch.cuda.synchronize()
        row = dict(policy=a.policy, prompt=i, tokens=n, allocated_mb=mb(torch.cuda.memory_allocated), reserved_mb=mb(torch.cuda.memory_reserved),
                   **held(), device=str(model.device))
        w.writerow(row); f.flush(); print(row, flush=True)
else:
    g = torch.Generator().manual_seed(0)
    for mode, n, chunk, budget in (('blocks', L, C, B), ('one_chunk', a.length, a.length, a.length // 4)):
        ids = torch.randint(200, 40000, (1, n), generator=g).to(model.device)
        if cuda: torch.cuda.synchronize(); torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
        base = mb(torch.cuda.memory_reserved)
        for _ in range(a.passes): run(ids, chunk, budget)
        row = dict(policy=a.policy, mode=mode, context_tokens=n, chunk_tokens=chunk, budget_tokens=budget, passes=a.passes, base_reserved_mb=base,
                   peak_reserved_mb=mb(torch.cuda.max_memory_reserved), peak_allocated_mb=mb(torch.cuda.max_memory_allocated), **held(),
                   dtype=a.dtype, device=device_name(model))
        w.writerow(row); f.flush(); print(row, flush=True)
        sc.__dict__.pop('_icmos_graphs', None); sc.__dict__.pop('_icmos_graph_seen', None)  # the next mode's graphs alone
