"""MAG training step, layer-by-layer memory writes (the old path, `batched_write=False`) against the batched write
(`write_layers`, optionally compiled, or the whole step replayed from a CUDA graph: `GraphedStep`), timed interleaved in one process: rows in speed.csv's columns + step seconds and
kernels (CUDA) or aten ops (CPU) per step from torch.profiler.

  python reports/scripts/mag_step_speed.py --model smollm2 --device cpu --contexts 512 --batches 1,2 --out X.csv   # CPU check
  (GPU: reports/scripts/mag_step_speed_gpu.sh)
One step = what `train_phase` does per step: `mag_batch_loss`, backward, clip + AdamW (a needle batch of `batch` samples).
Every mode shares one adapter and one AdamW made with `capturable=True` (what a graph needs; eager modes run it too). The graph
mode's check: the losses its first replay returns against `mag_batch_loss` of the same adapter run eagerly just before
(`check_rel_err`, the largest relative difference over the batch's samples). Its profile counts the replay's kernels only as
far as the profiler sees into a graph: `kernels_per_step` and `gpu_util` are left empty for it."""
from __future__ import annotations
import argparse, csv, json, math, statistics, sys, tempfile, time
from dataclasses import replace
from pathlib import Path

import torch

from icmos.core import ICMOSConfig, load_model, split_list
from icmos.bench_speed import gpu_profile, _device_name, _sync
from icmos.mag import MAG, GraphedStep, PhaseData, TrainConfig, mag_batch_loss, mag_step

COLUMNS = ['component', 'op', 'context_tokens', 'batch', 'dtype', 'tok_s', 'baseline_tok_s', 'speedup', 'gpu_util', 'device',
           'sec_per_step', 'steps_per_s', 'kernels_per_step', 'aten_ops_per_step', 'reps', 'check_rel_err']
MODES = {'train_step_layerwise': dict(batched_write=False, compile_write=False),   # the old path
         'train_step_batched': dict(batched_write=True, compile_write=False),
         'train_step_batched_compiled': dict(batched_write=True, compile_write=True),
         'train_step_graph': dict(batched_write=True, compile_write=False)}  # + GraphedStep

def cpu_ops(fn) -> int:
    "Top-level aten ops of one `fn()` (ops not nested in another aten op: what would each be a kernel launch on a GPU)."
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof: fn()
    ops = sorted((e for e in prof.events() if e.name.startswith('aten::')), key=lambda e: (e.time_range.start, -e.time_range.end))
    n, end = 0, -1
    for e in ops:
        if e.time_range.start >= end: n += 1; end = e.time_range.end
    return n

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='smollm2'); p.add_argument('--device', default='auto'); p.add_argument('--dtype', default='auto')
    p.add_argument('--contexts', default='1024,4096', help='context tokens per sample (needle task, >= 512)')
    p.add_argument('--batches', default='1,8,16')
    p.add_argument('--reps', default='2', help='timed steps per mode and cell (median): one number, or one per context')
    p.add_argument('--modes', default='train_step_layerwise,train_step_batched', help=f"comma-separated: {', '.join(MODES)}")
    p.add_argument('--window', type=int, default=512); p.add_argument('--chunk-size', type=int, default=64)
    p.add_argument('--profile', default='first', choices=['first', 'all', 'none'], help='profile one step per mode: at the first batch of each context, every cell, or none')
    p.add_argument('--profile-max-context', type=int, default=0, help='profile no context above this (0 = any): kernels per step grow with the context')
    p.add_argument('--time-limit', type=float, default=0, help='seconds; no new cell starts after it (0 = none)')
    p.add_argument('--threads', type=int, default=0); p.add_argument('--out', default='reports/results/mag_step_speed.csv')
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    modes = split_list(a.modes)
    for m in modes:
        if m not in MODES: p.error(f"--modes: unknown mode {m!r} (modes: {', '.join(MODES)})")
    contexts, reps = split_list(a.contexts, int), split_list(a.reps, int)
    if len(reps) == 1: reps = reps * len(contexts)
    if len(reps) != len(contexts) or min(reps) < 1: p.error('--reps: one number >= 1, or one per context')
    model, tok = load_model(ICMOSConfig(model=a.model, device=a.device, dtype=a.dtype))
    dev, dt, name = model.device, str(model.dtype).removeprefix('torch.'), _device_name(model.device)
    log = lambda *x: print('mag_step_speed:', *x, file=sys.stderr, flush=True)
    log(f'{name} {dt} torch {torch.__version__}')
    if 'train_step_graph' in modes and dev.type != 'cuda':
        log('train_step_graph needs CUDA: not run on', dev); modes = [m for m in modes if m != 'train_step_graph']
    rows, t_start, out = [], time.perf_counter(), Path(a.out)
    for L, R in zip(contexts, reps):
        for bi, b in enumerate(split_list(a.batches, int)):
            if a.time_limit and time.perf_counter() - t_start > a.time_limit: log(f'time limit: context {L} batch {b} not run'); continue
            batch = PhaseData('needle', tok, TrainConfig(phases=['needle'], length=L, batch=b))[0]
            mag = MAG.for_model(model, window=a.window, chunk_size=a.chunk_size)
            params = [q for q in mag.parameters() if q.requires_grad]
            opt = torch.optim.AdamW(params, lr=1e-4, capturable=dev.type == 'cuda')
            base, check = mag.cfg, {}
            graphed = GraphedStep(model, mag, opt, params, warmup=1) if 'train_step_graph' in modes else None
            def step(mode):
                mag.cfg = replace(base, **MODES[mode])
                if mode == 'train_step_graph': return graphed(batch)
                return mag_step(model, mag, opt, params, batch)
            def timed(mode):
                _sync(dev); t0 = time.perf_counter(); step(mode); _sync(dev); return time.perf_counter() - t0
            for m in modes: timed(m)  # warm: first kernels, allocator, a compile; the graph's eager warm-up step
            if graphed is not None:  # the capture (untimed), then the check on the first replay
                mag.cfg = replace(base, **MODES['train_step_graph']); graphed(batch)
                with torch.no_grad(): ref = mag_batch_loss(model, mag, batch)['losses'].float()
                got = graphed(batch)['losses'].float()
                check['train_step_graph'] = float(((got - ref).abs() / ref.abs().clamp_min(1e-6)).max())
                log(f'graph check: replay losses {got.tolist()[:4]} vs eager {ref.tolist()[:4]}: max rel err {check["train_step_graph"]:.2e}; '
                    f'{graphed.n_replayed} replays, {graphed.n_eager} eager steps, failed={graphed.failed}')
            secs = {m: [] for m in modes}
            for _ in range(R):
                for m in modes: secs[m].append(timed(m))  # interleaved: the modes see the same machine state
            prof = {}
            for m in modes:
                if m != 'train_step_graph' and (a.profile == 'all' or (a.profile == 'first' and bi == 0)) and not (a.profile_max_context and L > a.profile_max_context):
                    prof[m] = gpu_profile(lambda: step(m), 1, dev) if dev.type == 'cuda' else {'ops': cpu_ops(lambda: step(m))}
            sec = {m: statistics.median(v) for m, v in secs.items()}
            ref = sec.get('train_step_layerwise')
            for m in modes:
                pr, tok_s = prof.get(m, {}), b * L / sec[m]
                rows.append({'component': 'mag', 'op': m, 'context_tokens': L, 'batch': b, 'dtype': dt, 'tok_s': round(tok_s, 1),
                             'baseline_tok_s': round(b * L / ref, 1) if ref else math.nan, 'speedup': round(ref / sec[m], 3) if ref else math.nan,
                             'gpu_util': round(pr.get('gpu_util', math.nan), 3), 'device': name, 'sec_per_step': round(sec[m], 4),
                             'steps_per_s': round(1 / sec[m], 3), 'kernels_per_step': pr.get('kernels_per_step', math.nan),
                             'aten_ops_per_step': pr.get('ops', math.nan), 'reps': R, 'check_rel_err': check.get(m, math.nan)})
                log(', '.join(f'{k}={rows[-1][k]}' for k in ('op', 'context_tokens', 'batch', 'sec_per_step', 'speedup', 'kernels_per_step', 'aten_ops_per_step', 'gpu_util')))
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open('w', newline='') as f:  # rewritten after every cell: a run cut short keeps its cells
                w = csv.DictWriter(f, COLUMNS); w.writeheader(); w.writerows(rows)
            del mag, opt, batch, graphed
            if dev.type == 'cuda': torch.cuda.empty_cache()
    log(f'wrote {len(rows)} rows to {out} in {time.perf_counter() - t_start:.0f} s')
    return 0

if __name__ == '__main__': sys.exit(main())
