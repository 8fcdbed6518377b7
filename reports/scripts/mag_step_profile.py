"""Where the aten ops of one MAG training step go (CPU, torch.profiler): forward model, MAG read / gate, memory writes,
backward; and host syncs (`aten::item`, `aten::_local_scalar_dense`, `aten::nonzero`). Layer-by-layer writes (the old path)
and the batched write, one step each, rows `mode,context_tokens,batch,part,ops,calls`.

  PYTHONPATH=$PWD python reports/scripts/mag_step_profile.py --context 512 --out reports/results/mag_step_profile_cpu.csv"""
from __future__ import annotations
import argparse, collections, csv, sys
from dataclasses import replace

import torch
from torch.profiler import ProfilerActivity, profile, record_function

import icmos.mag as mg, icmos.neural_memory as nm
from icmos.core import ICMOSConfig, load_model
from icmos.mag import MAG, MAGStream, PhaseData, TrainConfig, mag_batch_loss

LABELS = ('FWD', 'BWD', 'WRITE', 'READ', 'MAG_STEP')

def _wrap(obj, name, label):
    f = getattr(obj, name)
    def g(*a, **k):
        with record_function(label): return f(*a, **k)
    setattr(obj, name, g)

def profile_step(model, mag, batch) -> tuple[collections.Counter, collections.Counter]:
    "Top-level aten ops of one step by part, and the calls of each label."
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        with record_function('FWD'): r = mag_batch_loss(model, mag, batch)
        with record_function('BWD'): r['loss'].backward()
    ev = prof.events()
    labels = [e for e in ev if e.name in LABELS]
    ops = sorted((e for e in ev if e.name.startswith('aten::')), key=lambda e: (e.time_range.start, -e.time_range.end))
    top, end = [], -1
    for e in ops:
        if e.time_range.start >= end: top.append(e); end = e.time_range.end
    inside = lambda e, l: l.time_range.start <= e.time_range.start and e.time_range.end <= l.time_range.end
    parts = collections.Counter()
    for e in top:
        ls = {l.name for l in labels if inside(e, l)}
        parts['backward' if 'BWD' in ls else 'memory write' if 'WRITE' in ls else 'memory read' if 'READ' in ls
              else 'MAG step, other (query, gate, mix)' if 'MAG_STEP' in ls else 'model forward, other'] += 1
    parts['total'] = len(top)
    names = collections.Counter(e.name for e in ops)
    for k in ('aten::item', 'aten::_local_scalar_dense', 'aten::nonzero'): parts[f'host sync: {k}'] = names[k]
    return parts, collections.Counter(l.name for l in labels)

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='smollm2'); p.add_argument('--context', type=int, default=512); p.add_argument('--batch', type=int, default=1)
    p.add_argument('--window', type=int, default=512); p.add_argument('--out', default='reports/results/mag_step_profile_cpu.csv')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    model, tok = load_model(ICMOSConfig(model=a.model, device='cpu'))
    _wrap(nm.NeuralMemory, 'write', 'WRITE'); _wrap(mg, 'write_layers', 'WRITE'); _wrap(nm.NeuralMemory, 'read', 'READ'); _wrap(MAGStream, 'step', 'MAG_STEP')
    mag = MAG.for_model(model, window=a.window, chunk_size=64)
    batch = PhaseData('needle', tok, TrainConfig(phases=['needle'], length=a.context, batch=a.batch))[0]
    rows = []
    for mode, batched in (('layerwise', False), ('batched', True)):
        mag.cfg = replace(mag.cfg, batched_write=batched)
        mag_batch_loss(model, mag, batch)['loss'].backward()  # warm
        parts, calls = profile_step(model, mag, batch)
        rows += [dict(mode=mode, context_tokens=a.context, batch=a.batch, part=k, ops=v, calls='') for k, v in parts.items()]
        rows += [dict(mode=mode, context_tokens=a.context, batch=a.batch, part=f'calls: {k}', ops='', calls=v) for k, v in calls.items()]
        print(mode, dict(parts), dict(calls), file=sys.stderr)
    with open(a.out, 'w', newline='') as f:
        w = csv.DictWriter(f, ['mode', 'context_tokens', 'batch', 'part', 'ops', 'calls']); w.writeheader(); w.writerows(rows)
    return 0

if __name__ == '__main__': sys.exit(main())
