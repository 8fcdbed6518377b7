"""A/B of the write path's host stages (issue 12): the same document written into a `Memory` by the reference host code
(`icmos.ingest` impl='ref', no prefetch thread, the GC not paused) and by the current one, step by step, interleaved, several reps; per-stage seconds
(`Memory.write_timings`) and the total go to a CSV, and each rep checks that both wrote the same memory (units, token
ids, blocks, BM25 postings, index ids and keys).

  # GPU host (real MiniLM, bf16 LM): 5 reps at 1M tokens
  ICMOS_MODEL=... ICMOS_DEVICE=cuda ICMOS_DTYPE=bfloat16 python reports/scripts/ingest_host_ab.py --length 1M --reps 5 --out /root/res/runtime_ingest_host_gpu.csv
  # CPU (MiniLM replaced by a cheap deterministic stub, so its CPU arithmetic does not swamp the host stages)
  python reports/scripts/ingest_host_ab.py --length 1M --reps 5 --stub-embed --device cpu --out reports/results/runtime_ingest_host_cpu.csv
"""
import argparse, csv, gc, hashlib, os, sys, time

import numpy as np
import torch

import icmos.ingest as ingest
import icmos.rag as rag
import icmos.runtime as runtime
from icmos.core import ICMOSConfig, load_model
from icmos.runtime import Memory, RuntimeConfig
from icmos.tasks import make_sample

VARIANTS = {  # name -> (icmos.ingest.HostStages.impl, RuntimeConfig.prefetch, icmos.runtime._PAUSE_GC[, RuntimeConfig.split])
    'ref': ('ref', 0, False),        # the code before the speed-up
    'fast': ('fast', 0, False),      # one unrolled regex for the units, BM25 words and id flattening looped in C; no thread
    'prefetch': ('fast', 1, False),  # ... and the host stages one piece ahead in a thread
    'new': ('fast', 1, True),        # ... and the cyclic GC paused during the write (the defaults)
    'sentences': ('fast', 1, True, 'sentences'),  # the defaults with split='sentences' (the splitter before v4's split='records')
}
split_of = lambda n: VARIANTS[n][3] if len(VARIANTS[n]) > 3 else None  # None: the default split; memories are compared within a split


def sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()


def stub_embed():
    "A deterministic stand-in for MiniLM: the mean of fixed random vectors of a text's word pieces, unit norm (content only: equal inputs give equal keys)."
    E = torch.nn.EmbeddingBag(30522, 384, mode='mean'); torch.nn.init.normal_(E.weight, generator=torch.Generator().manual_seed(0))
    E.requires_grad_(False)
    def embed(texts, device='cpu', batch=64, max_len=rag.EMBED_MAX_LEN, max_batch_tokens=131072, ids=None):
        if not texts: return torch.zeros(0, 384)
        if ids is None: ids = rag._embed_ids(rag.load_embedder('cpu')[1], list(texts), max_len)
        flat = torch.from_numpy(np.concatenate([np.asarray(i, np.int64) for i in ids]))
        off = torch.from_numpy(np.cumsum([0] + [len(i) for i in ids[:-1]]).astype(np.int64))
        return torch.nn.functional.normalize(E(flat, off), dim=-1)
    return embed


def fingerprint(mem: Memory) -> dict:
    "Hashes of what the write made: units (text, span, separator, block, ids) and blocks; BM25 postings; dense keys; index ids."
    out, h = {}, None
    def add(x):
        if isinstance(x, np.ndarray): h.update(str(x.dtype).encode()); h.update(np.ascontiguousarray(x).tobytes())
        elif isinstance(x, torch.Tensor): add(x.detach().cpu().numpy())
        else: h.update(repr(x).encode())
    def part(name, f):
        nonlocal h
        h = hashlib.sha256(); f(); out[f'fp_{name}'] = h.hexdigest()[:12]
    U = mem.units
    def units():
        add(U.text); add(U.span); add(U.sep); add(U.block)
        for a in U.ids: add(np.asarray(a))
        for b in mem.blocks: add((b.id, b.start, b.end, b.text, b.units, b.source)); add(np.asarray(b.ids))
    part('units', units)
    for r in mem.rankers:
        if r.name == 'bm25':
            def bm25():
                add(list(r.vocab)); add(r._df[:len(r.vocab)])
                for c in r._chunks: [add(a) for a in c]
                for a in r._ids + r._len: add(a)
            part('bm25', bm25)
        if r.name == 'minilm':
            part('keys', lambda: (add(r.vectors(range(len(r._owner)))), add(sorted(r._owner.items()))))
            ix = r.index
            part('index', lambda: add(np.sort(np.asarray(list(ix.dnii._id2row.keys()), np.int64))) if hasattr(ix, 'dnii') else add(ix._ids))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--length', default='1M'); p.add_argument('--device', default=None); p.add_argument('--reps', type=int, default=5)
    p.add_argument('--variants', default='ref,fast,prefetch,new', help=f"comma-separated, run in turn each rep: {', '.join(VARIANTS)}")
    p.add_argument('--stub-embed', action='store_true', help='replace MiniLM by a cheap deterministic stub (CPU profiling)')
    p.add_argument('--index', default='dnii'); p.add_argument('--out', required=True)
    a = p.parse_args(argv)
    L = int(float(a.length[:-1]) * {'K': 1000, 'M': 1_000_000}[a.length[-1].upper()]) if a.length[-1] in 'KkMm' else int(a.length)
    icfg = ICMOSConfig.from_env(device=a.device)
    model, tok = load_model(icfg)
    if a.stub_embed: rag.embed = stub_embed()  # Dense.embed looks it up on each call
    dev = torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu'
    names = a.variants.split(',')
    def rcfg(n, pre): return RuntimeConfig(index=a.index, prefetch=pre, **({'split': split_of(n)} if split_of(n) else {}))
    warm = make_sample('niah_single', tok, 50_000, seed=99)
    for n in names:  # loads the embedder, warms the kernels and both code paths
        ingest.HostStages.impl, pre, runtime._PAUSE_GC = VARIANTS[n][:3]; Memory(rcfg(n, pre), model, tok, icfg).write(warm.context)
    s = make_sample('niah_single', tok, L, seed=0)
    rows, gct, t_gc, bad = [], [0.0, 0], [0.0], []
    def on_gc(phase, info):  # seconds spent in the cyclic GC during a write
        if phase == 'start': t_gc[0] = time.perf_counter()
        else: gct[0] += time.perf_counter() - t_gc[0]; gct[1] += 1
    gc.callbacks.append(on_gc)
    for rep in range(a.reps):
        fps = {}
        for n in (names if rep % 2 == 0 else names[::-1]):  # interleaved, alternating order
            impl, pre, runtime._PAUSE_GC = VARIANTS[n][:3]
            ingest.HostStages.impl = impl
            mem = Memory(rcfg(n, pre), model, tok, icfg)
            gc.collect(); gct[:] = [0.0, 0]; sync(); t0 = time.perf_counter(); n_tok = mem.write(s.context); sync(); t = time.perf_counter() - t0
            dense = next((r for r in mem.rankers if hasattr(r, 'add_s')), None)
            row = {'variant': n, 'split': mem.cfg.split, 'rep': rep, 'device': dev, 'stub_embed': a.stub_embed, 'index': a.index, 'context_tokens': n_tok, 'loadavg_1m': os.getloadavg()[0],
                   'seconds': round(t, 4), 'tok_s': round(n_tok / t, 1), 'gc_s': round(gct[0], 4), 'gc_runs': gct[1],
                   **{k: round(v, 4) for k, v in mem.write_timings.items()},
                   **({f'minilm:{k}': round(v, 4) for k, v in dense.add_s.items()} if dense else {})}
            fp = fingerprint(mem); row.update(fp); fps[n] = fp
            rows.append(row); print(row, file=sys.stderr, flush=True)
            del mem
        for grp in {split_of(n) for n in names}:  # variants of one split must write the same memory
            same = {n: f for n, f in fps.items() if split_of(n) == grp}
            for k in next(iter(same.values())):
                if len({f[k] for f in same.values()}) != 1:  # keys may differ in the last bits on a GPU; the rest must not
                    bad.append(f'rep {rep} {k}: ' + ', '.join(f'{n}={f[k]}' for n, f in same.items())); print('MISMATCH', bad[-1], file=sys.stderr)
    ingest.HostStages.impl, runtime._PAUSE_GC = 'fast', True
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with open(a.out, 'w', newline='') as f:
        w = csv.DictWriter(f, cols); w.writeheader(); w.writerows(rows)
    import pandas as pd
    df = pd.DataFrame(rows)
    num = [c for c in cols if c not in ('variant', 'split', 'rep', 'device', 'stub_embed', 'index', 'context_tokens', 'loadavg_1m') and not c.startswith('fp_')]
    print(df.groupby('variant')[num].median().T[names].round(3).to_string(), file=sys.stderr)
    print('\n'.join(['DIFFERENT MEMORIES:'] + bad) if bad else 'every rep: all variants of a split wrote the same memory', file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
