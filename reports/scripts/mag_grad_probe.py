"""Issue 17: where MAG's training gradient goes. Session 21's graphed run logged pre-clip gradient norms of 1e5 to 1e15 (the step
clips to 1.0), so the clipped update's direction is set by whichever parameters carry those norms. This probe computes one
training step's gradient (`mag_batch_loss` + backward, no optimizer step) on curriculum samples at several context lengths and
writes each parameter group's norm, so that the groups and the growth with the number of chained memory writes are visible.

  python reports/scripts/mag_grad_probe.py --lengths 512,1024,2048 --out reports/results/mag_grad_probe_s21_cpu.csv \
      [--checkpoint ADAPTER_DIR] [--model M] [--device cpu] [--batch 2] [--seeds 3]

Groups: memory init weights, memory write projections (to_k, to_v), memory gates (to_gates: eta, theta, alpha), read query,
refine, out, MAG gate, persistent tokens. Rows: checkpoint (with the inner-loop settings), phase, context_tokens, n_chunks, seed, group, grad_norm, share
(of the total squared norm), total_norm, loss.
"""
from __future__ import annotations
import argparse, csv, re, sys
from pathlib import Path

import torch

from icmos.core import ICMOSConfig, encode_prompt, load_model
from icmos.mag import MAG, answer_ids, filler_id, load_mag, mag_batch, mag_batch_loss, phase_sample

GROUPS = [('mem_init', r'memory\.\d+\.init_weights'), ('mem_kv', r'memory\.\d+\.to_[kv]\.'), ('mem_gates', r'memory\.\d+\.to_gates'),
          ('query', r'^query\.'), ('refine', r'^refine\.'), ('out', r'^out\.'), ('gate', r'^gate\.'), ('persistent', r'^persistent$')]


def group_of(name: str) -> str:
    for g, pat in GROUPS:
        if re.search(pat, name): return g
    raise ValueError(f'mag_grad_probe: parameter {name!r} is in no group: add it to GROUPS')


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default=None, help='model path or id (default: the embedded SmolLM2)')
    p.add_argument('--checkpoint', default=None, help='a MAG adapter folder (default: a fresh adapter, seed 0)')
    p.add_argument('--device', default='cpu'); p.add_argument('--dtype', default='float32')
    p.add_argument('--phase', default='needle'); p.add_argument('--lengths', default='512,1024,2048')
    p.add_argument('--batch', type=int, default=2); p.add_argument('--seeds', type=int, default=3, help='batches per length')
    p.add_argument('--window', type=int, default=512); p.add_argument('--out', required=True)
    p.add_argument('--theta-max', type=float, default=None, help="cap of the memories' inner learning rate theta (default: the adapter's, 0.1)")
    p.add_argument('--recall-out', default=None, help='also write what the memory recalls (`memory_probe`: one 20%%-depth needle sample per '
                   'length) as error ratios against the unwritten memory, to this CSV')
    p.add_argument('--surprise-clip', type=float, default=None, help="the memories' per-token surprise norm cap (default: the adapter's, 5.0)")
    a = p.parse_args(argv)
    cfg = ICMOSConfig(**{k: v for k, v in dict(model=a.model, device=a.device, dtype=a.dtype).items() if v is not None})
    model, tok = load_model(cfg)
    mag = load_mag(a.checkpoint, model) if a.checkpoint else MAG.for_model(model, window=a.window, chunk_size=64)
    mag.train()
    for m in mag.memory:  # the inner-loop settings under test (buffers / attributes, not trained parameters)
        if a.theta_max is not None: m.gate_max[1] = a.theta_max
        if a.surprise_clip is not None: m.grad_clip = a.surprise_clip
    tag = f"{a.checkpoint or 'fresh'};theta_max={float(mag.memory[0].gate_max[1]):g};surprise_clip={mag.memory[0].grad_clip:g}"
    names = [(n, q) for n, q in mag.named_parameters() if q.requires_grad]
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    cols = ['checkpoint', 'phase', 'context_tokens', 'n_chunks', 'seed', 'group', 'grad_norm', 'share', 'total_norm', 'loss']
    with out.open('w', newline='') as f:
        w = csv.DictWriter(f, cols); w.writeheader()
        for L in [int(x) for x in a.lengths.split(',')]:
            for s in range(a.seeds):
                seed = 900_000 + 1000 * L + s * a.batch  # seeds no training run uses (they start at 10,000 + 100,000 per run)
                ss = [phase_sample(a.phase, tok, seed + j, L) for j in range(a.batch)]
                ps = [encode_prompt(tok, x.context, x.question) for x in ss]
                b = mag_batch(ps, [answer_ids(tok, x) for x in ss], filler_id(tok))
                mag.zero_grad(set_to_none=True)
                r = mag_batch_loss(model, mag, b)
                r['loss'].backward()
                sq = {}
                for n, q in names:
                    if q.grad is not None: sq[group_of(n)] = sq.get(group_of(n), 0.0) + float(q.grad.double().pow(2).sum())
                tot = sum(sq.values())
                for g, v in sq.items():
                    w.writerow(dict(checkpoint=tag, phase=a.phase, context_tokens=b['feed'].shape[1],
                                    n_chunks=b['feed'].shape[1] // mag.cfg.chunk_size, seed=seed, group=g, grad_norm=f'{v ** 0.5:.6g}',
                                    share=f'{v / tot:.6g}' if tot > 0 else 'nan', total_norm=f'{tot ** 0.5:.6g}', loss=f"{float(r['loss'].detach()):.5f}"))
                f.flush()
                top = max(sq, key=sq.get)
                print(f'mag_grad_probe: L={b["feed"].shape[1]} seed={seed} loss={float(r["loss"].detach()):.3f} total={tot ** 0.5:.3g} '
                      f'top={top} ({sq[top] / tot:.1%})', file=sys.stderr, flush=True)
    if a.recall_out: recall(model, tok, mag, a, tag)
    return 0


def recall(model, tok, mag, a, tag):
    "Mean recall error ratio err/err0 of the written tokens (all layers; by thirds of the stream; the needle's tokens): < 1 is recall."
    import pandas as pd
    from icmos.mag import memory_probe
    rows = []
    for L in [int(x) for x in a.lengths.split(',')]:
        d = pd.DataFrame(memory_probe(model, tok, mag, L, a.window, seed=7)).query('written == 1').assign(r=lambda x: x.err / x.err0)
        third = d.position.max() / 3
        rows.append(dict(checkpoint=tag, context_tokens=L, tokens=d.position.nunique(), ratio_all=d.r.mean(),
                         ratio_first_third=d[d.position < third].r.mean(), ratio_last_third=d[d.position >= 2 * third].r.mean(),
                         ratio_needle=d[d.needle == 1].r.mean()))
        print(f'mag_grad_probe: recall L={L} ' + ' '.join(f'{k}={v:.3f}' for k, v in rows[-1].items() if k.startswith('ratio')), file=sys.stderr, flush=True)
    out = Path(a.recall_out); out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).round(4).to_csv(out, index=False)


if __name__ == '__main__':
    sys.exit(main())
