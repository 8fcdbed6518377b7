"""Issue 16/13: what one eviction costs beside the prefill it follows, per policy, layer by layer vs batched (`icmos.kv.evict`).
For each length and policy: the prompt is prefilled in one chunk (Observer open for that policy, as `icmos bench trimmer` does; a
Trimmer spec with hook=1, e.g. 'trimmer[sinks=4;window=0.25;hook=1]', computes its features in the hooks, so they count in `prefill_s`;
by default, and with --no-hook always, at eviction; session 12's `_hook` / `_raw` CSVs were measured while the hook was the
default, so there the plain name means hook=1 and --no-hook the eviction path), then evicted to
(1 - ratio) of its length; `prefill_s` and `evict_s` are medians over --reps timed runs after one warm-up (CUDA synchronised; since session 11 the runs of
all (policy, batched) pairs are interleaved, rep by rep, and the 10th / 90th percentiles are written beside the medians),
`kernels` counts the device kernels (CUDA) or aten calls (CPU) of one eviction (torch.profiler), `same_as_layerwise` checks the
batched choice against the layer-by-layer one. A row per (length, policy, batched) is appended to --out as soon as it is measured.
Since session 12: `--blocks L:C:B` also times the block-by-block path (L tokens prefilled in chunks of C, every chunk evicted to B
by the batched path, as `icmos bench trimmer --long-budget` runs 32K and 128K; rows with mode 'blocks', prefill_s the whole pass,
evict_s empty, kernels those of one steady-state block eviction since session 14), interleaved like the rest; `--profile-out` writes the top device kernels of one batched eviction per policy
(self time, torch.profiler) to find what the Trimmer's eviction spends beyond a press's.
  python reports/scripts/evict_speed.py --device cuda --dtype bfloat16 --lengths 4096,8000 --blocks 32000:2048:4096 \
    --out evict_speed.csv --profile-out evict_profile.csv
  (CPU check: --device cpu --dtype float32 --lengths 600 --blocks 1200:256:384 --reps 1)
Since session 14 (issue 16, branch evictfast): a policy spec prefixed `old:` (e.g. 'old:streaming', 'old:trimmer[sinks=4;window=0.25]')
runs the eviction machinery of git revision --old-rev instead (icmos/ as of that commit, imported as a second package `icmos_old`:
its `evict`, `Observer`, `PositionedCache`, policies and Trimmer scorer), interleaved rep by rep with the current code, so that one
run A/Bs old vs new on the same warm GPU; the Trimmer takes `feat_dtype=model` (features in the model's dtype).
  python reports/scripts/evict_speed.py --device cuda --dtype bfloat16 --lengths 8000 --blocks 32000:2048:4096 --old-rev 6a482e4 \
    --policies old:streaming streaming old:trimmer[sinks=4;window=0.25] trimmer[sinks=4;window=0.25] 'trimmer[sinks=4;window=0.25;feat_dtype=model]' \
    --out evict_speed_s14.csv --profile-out evict_profile_s14.csv
Since session 15 (issue 16, branch evictgraph): the Trimmer takes `graph=1` (`Trimmer(graph=True)`: on a GPU, a batched eviction whose
shapes were seen before replays a CUDA graph of its scoring and top-k; a shape is captured on its second sighting, so the one-chunk
rows capture in their first timed rep (the warm-up is the first sighting) and the block-by-block passes in the warm-up pass; the
graphs stay with the scorer across passes). On the CPU it evicts eagerly, warned once. A/B against the eager Trimmer and the press:
  python reports/scripts/evict_speed.py --device cuda --dtype bfloat16 --lengths 8000 --blocks 32000:2048:4096 \
    --policies streaming 'trimmer[sinks=4;window=0.25]' 'trimmer[sinks=4;window=0.25;graph=1]' 'trimmer[sinks=4;window=0.25;feat_dtype=model;graph=1]' \
    --out evict_speed_s15.csv --profile-out evict_profile_s15.csv
Since session 16 the graph is the Trimmer's default on CUDA (`graph=0`: eager); every Trimmer spec gets its own copy of the scorer, so
the new column `graph_mb` (`icmos.trimmer.graph_mb`: device memory its eviction graphs reserved when captured) is that policy's alone.
An `old:trimmer[...]` spec runs the old revision's default, eager before session 16: give `graph=` on both sides to compare like with like.
  python reports/scripts/evict_speed.py --device cuda --dtype bfloat16 --lengths 4096,8000 --blocks 32000:2048:4096 \
    --policies streaming tova 'trimmer[sinks=4;window=0.25;graph=0]' 'trimmer[sinks=4;window=0.25]' 'trimmer[sinks=4;window=0.25;feat_dtype=model]' \
    --out evict_speed_s16.csv --profile-out evict_profile_s16.csv"""
import argparse, copy, csv, importlib, os, statistics, subprocess, sys, tempfile, time
import numpy as np
import torch
from torch.profiler import profile, ProfilerActivity
from icmos.core import ICMOSConfig, load_model, prefill
from icmos.eval import device_name
import icmos.kv as kv_new
from icmos.presses import ratio_budget
from icmos.trimmer import Trimmer, default_checkpoint, graph_mb, load_trimmer, policy_spec, _policy

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None); p.add_argument('--device', default='cpu'); p.add_argument('--dtype', default='float32')
p.add_argument('--lengths', default='4096,8192'); p.add_argument('--ratio', type=float, default=0.75); p.add_argument('--reps', type=int, default=20)
p.add_argument('--policies', nargs='+', default=['streaming', 'tova', 'snapkv', 'knorm', 'trimmer[sinks=4;window=0.25]'])
p.add_argument('--checkpoint', default=str(default_checkpoint('trimmer-smollm2-v3'))); p.add_argument('--out', required=True)
p.add_argument('--blocks', default='', help='L:C:B,... block-by-block passes: L tokens, chunks of C, budget B (batched eviction per chunk)')
p.add_argument('--no-hook', action='store_true', help="affects only Trimmer specs with hook=1 (the hook is off by default): the Observer keeps raw "
               "hidden states, so their features are computed at eviction after all; kept to rerun session 12's `_raw` pass (trimmer_commands.sh b)")
p.add_argument('--old-rev', default='', help="git revision whose icmos/ runs the policies prefixed 'old:' (e.g. 6a482e4, the code before issue 16's session 14), "
               "or a folder holding such an icmos/ (where the run has no .git: git archive 6a482e4 icmos | tar -x -C old_src)")
p.add_argument('--block-reps', type=int, default=5); p.add_argument('--profile-out', default='', help='CSV of the top kernels of one batched eviction per policy')
a = p.parse_args()
cfg = ICMOSConfig(device=a.device, dtype=a.dtype, **({'model': a.model} if a.model else {}))
model, tok = load_model(cfg)
sc = load_trimmer(a.checkpoint, model).to(model.device)

def old_package(rev):
    "icmos/ as of git revision `rev`, imported as package `icmos_old` (its modules import one another relatively)."
    import shutil
    d = tempfile.mkdtemp(prefix='icmos_old_')
    if os.path.isdir(os.path.join(rev, 'icmos')): shutil.copytree(os.path.join(rev, 'icmos'), os.path.join(d, 'icmos'))  # a folder holding an old icmos/
    else:  # a git revision of this repository
        root = subprocess.run(['git', 'rev-parse', '--show-toplevel'], capture_output=True, text=True, check=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
        subprocess.run(f'git -C {root} archive {rev} icmos | tar -x -C {d}', shell=True, check=True)
    os.rename(os.path.join(d, 'icmos'), os.path.join(d, 'icmos_old')); sys.path.insert(0, d)
    for m in ('streaming', 'presses', 'trimmer'): importlib.import_module(f'icmos_old.{m}')  # register the old policies
    return importlib.import_module('icmos_old.kv'), importlib.import_module('icmos_old.trimmer')

OLD = {}
if any(x.startswith('old:') for x in a.policies):
    if not a.old_rev: sys.exit("policies prefixed 'old:' need --old-rev")
    OLD['kv'], OLD['trimmer'] = old_package(a.old_rev)
    OLD['sc'] = OLD['trimmer'].load_trimmer(a.checkpoint, model).to(model.device)

def make_policy(spec, budget):
    "A policy of the current code, or with the prefix 'old:' of --old-rev's (its own classes and scorer)."
    if not spec.startswith('old:'): return _policy(spec, budget, copy.deepcopy(sc))  # its own scorer: its graphs (`graph_mb`) are its own
    name, over = policy_spec(spec[4:])
    return OLD['trimmer'].Trimmer(budget=budget, scorer=OLD['sc'], **over) if name == 'trimmer' else OLD['kv'].POLICIES[name](budget=budget)

def mod(spec): return OLD['kv'] if spec.startswith('old:') else kv_new  # whose evict, Observer and PositionedCache
dev, cuda = device_name(model), model.device.type == 'cuda'
sync = (lambda: torch.cuda.synchronize()) if cuda else (lambda: None)
cols = ['policy', 'context_tokens', 'budget_tokens', 'batched', 'reps', 'prefill_s', 'evict_s', 'tok_s', 'kernels', 'same_as_layerwise', 'dtype', 'device',
        'prefill_p10_s', 'prefill_p90_s', 'evict_p10_s', 'evict_p90_s', 'mode', 'chunk_tokens', 'graph_mb']
gmb = lambda pol: round(graph_mb(pol.scorer), 1) if isinstance(pol, Trimmer) and pol.scorer is not None else ''  # '' : not a (current) Trimmer
new = not os.path.exists(a.out) or os.path.getsize(a.out) == 0
if not new and open(a.out).readline().strip().split(',') != cols: sys.exit(f'{a.out} has other columns (an older run of this script): give another --out')
f = open(a.out, 'a', newline=''); w = csv.DictWriter(f, cols)
if new: w.writeheader()
g = torch.Generator().manual_seed(0)

def observer(M, pol):
    "An Observer of module M (current or old) opened for `pol`, its hooks registered before any timing."
    ob = M.Observer(model).open(); ob.policy = None if a.no_hook else pol  # its `observe` runs in the hooks during the prefill
    return ob

def run(pol, ids, batched, M):
    ob = observer(M, pol)
    sync(); t0 = time.perf_counter()
    logits, c = prefill(model, ids, cache=M.PositionedCache(model), chunk_size=ids.shape[1])
    sync(); t1 = time.perf_counter()
    M.evict(c, pol, ob, batched=batched)
    sync(); t2 = time.perf_counter()
    ob.close()
    return t1 - t0, t2 - t1, torch.stack([l.pos for l in c.layers]).cpu()

prof_rows = []
def kernels(pol, ids, batched, M, name=''):
    "Device kernels (CUDA) or aten calls (CPU) of one eviction; batched, its top kernels by self time go to --profile-out."
    ob = observer(M, pol)
    logits, c = prefill(model, ids, cache=M.PositionedCache(model), chunk_size=ids.shape[1])
    with profile(activities=[ProfilerActivity.CUDA] if cuda else [ProfilerActivity.CPU]) as prof:
        M.evict(c, pol, ob, batched=batched); sync()
    ob.close()
    ev = [e for e in prof.key_averages() if (e.device_type.name == 'CUDA' if cuda else e.key.startswith('aten::'))]
    if batched and a.profile_out:
        self_us = lambda e: getattr(e, 'self_device_time_total', None) if cuda else e.self_cpu_time_total
        tot = sum(self_us(e) or 0 for e in ev)
        for e in sorted(ev, key=lambda e: -(self_us(e) or 0))[:15]:
            prof_rows.append(dict(policy=name, context_tokens=ids.shape[1], kernel=e.key[:120], count=e.count, self_us=round(self_us(e) or 0, 1),
                                  share=round((self_us(e) or 0) / max(tot, 1e-9), 4), total_us=round(tot, 1), device=dev))
    return sum(e.count for e in ev)

def blocks(pol, ids, chunk, M):
    "One block-by-block pass: chunked prefill, the cache evicted after every chunk (batched), as the long bench runs it."
    ob = observer(M, pol)
    sync(); t0 = time.perf_counter()
    prefill(model, ids, cache=M.PositionedCache(model), chunk_size=chunk, on_chunk=lambda c: M.evict(c, pol, ob, batched=True))
    sync(); t = time.perf_counter() - t0
    ob.close(); return t

def block_kernels(pol, ids, chunk, M):
    """Device kernels (CUDA) or aten calls (CPU) of one eviction in a block-by-block pass: the 4th chunk's (or the last full one's),
    where the cache holds budget + chunk tokens and has moved: the steady state of a long prompt. Written as `kernels` of 'blocks' rows."""
    ob, n_chunks, seen, out = observer(M, pol), -(-ids.shape[1] // chunk), [0], ['']
    k = max(1, min(4, n_chunks - 1))
    def on(c):
        seen[0] += 1
        if seen[0] != k: M.evict(c, pol, ob, batched=True); return
        with profile(activities=[ProfilerActivity.CUDA] if cuda else [ProfilerActivity.CPU]) as prof:
            M.evict(c, pol, ob, batched=True); sync()
        out[0] = sum(e.count for e in prof.key_averages() if (e.device_type.name == 'CUDA' if cuda else e.key.startswith('aten::')))
    prefill(model, ids, cache=M.PositionedCache(model), chunk_size=chunk, on_chunk=on)
    ob.close(); return out[0]

q = lambda xs, p: float(np.percentile(xs, p))
for L in map(int, a.lengths.split(',')):
    ids = torch.randint(200, 40000, (1, L), generator=g).to(model.device)
    budget = ratio_budget(L, a.ratio)
    combos = [(name, batched) for name in a.policies for batched in (False, True)]
    pols = {c: make_policy(c[0], budget) for c in combos}
    ts, kept = {c: [] for c in combos}, {}
    with torch.no_grad():
        for c in combos: run(pols[c], ids, c[1], mod(c[0]))  # warm-up
        for r in range(a.reps):  # interleaved: each rep times every (policy, batched) once, so drift of the host hits all alike
            for c in combos:
                t = run(pols[c], ids, c[1], mod(c[0])); ts[c].append(t[:2]); kept[c] = t[2]
        ks = {c: kernels(pols[c], ids, c[1], mod(c[0]), c[0]) for c in combos}
    for c in combos:
        name, batched = c
        P, E = [t[0] for t in ts[c]], [t[1] for t in ts[c]]
        ps, es = statistics.median(P), statistics.median(E)
        row = dict(policy=name, context_tokens=L, budget_tokens=budget, batched=batched, reps=a.reps, prefill_s=round(ps, 5),
                   evict_s=round(es, 5), tok_s=round(L / (ps + es), 1), kernels=ks[c],
                   same_as_layerwise='' if not batched else bool(torch.equal(kept[c], kept[(name, False)])), dtype=a.dtype, device=dev,
                   prefill_p10_s=round(q(P, 10), 5), prefill_p90_s=round(q(P, 90), 5), evict_p10_s=round(q(E, 10), 5), evict_p90_s=round(q(E, 90), 5),
                   mode='one_chunk', chunk_tokens=L, graph_mb=gmb(pols[c]))
        w.writerow(row); f.flush(); print(row, flush=True)
if a.profile_out and prof_rows:
    with open(a.profile_out, 'w', newline='') as pf:
        pw = csv.DictWriter(pf, list(prof_rows[0])); pw.writeheader(); pw.writerows(prof_rows)
for spec in filter(None, a.blocks.split(',')):
    L, C, B = (int(float(x)) for x in spec.split(':'))
    ids = torch.randint(200, 40000, (1, L), generator=g).to(model.device)
    pols = {name: make_policy(name, B) for name in a.policies}
    ts = {name: [] for name in a.policies}
    with torch.no_grad():
        for name in a.policies: blocks(pols[name], ids, C, mod(name))  # warm-up
        for r in range(a.block_reps):
            for name in a.policies: ts[name].append(blocks(pols[name], ids, C, mod(name)))
        ks = {name: block_kernels(pols[name], ids, C, mod(name)) for name in a.policies}
    for name in a.policies:
        ps = statistics.median(ts[name])
        row = dict(policy=name, context_tokens=L, budget_tokens=B, batched=True, reps=a.block_reps, prefill_s=round(ps, 5), evict_s='',
                   tok_s=round(L / ps, 1), kernels=ks[name], same_as_layerwise='', dtype=a.dtype, device=dev, prefill_p10_s=round(q(ts[name], 10), 5),
                   prefill_p90_s=round(q(ts[name], 90), 5), evict_p10_s='', evict_p90_s='', mode='blocks', chunk_tokens=C,
                   graph_mb=gmb(pols[name]))
        w.writerow(row); f.flush(); print(row, flush=True)
