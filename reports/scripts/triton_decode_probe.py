"""Issue 13: `GraphDecoder(kernel='triton')` as the package runs it (its first step at construction, the CUDA graph, the Triton
step tail) against `kernel='fused'` on the same prompt: tokens in common and tok/s of the replayed steps, one JSON line.

  python reports/scripts/triton_decode_probe.py --model M --context 8000 --new 128      # on a GPU (session29_gpu.sh probe)
  python reports/scripts/triton_decode_probe.py --device cpu --context 200 --new 8 --kernels fused   # the script's own check
"""
import argparse, json, sys, time, warnings

import torch

from icmos.bench_speed import prompt_ids
from icmos.core import GraphDecoder, ICMOSConfig, load_model, prefill


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--model', default='smollm2'); p.add_argument('--device', default='cuda'); p.add_argument('--dtype', default='bfloat16')
    p.add_argument('--context', type=int, default=8000); p.add_argument('--new', type=int, default=128)
    p.add_argument('--kernels', default='triton,fused')
    a = p.parse_args(argv)
    model, tok = load_model(ICMOSConfig(model=a.model, device=a.device, dtype=a.dtype))
    ids = prompt_ids(tok, a.context).to(model.device)
    sync = (lambda: torch.cuda.synchronize()) if model.device.type == 'cuda' else (lambda: None)
    out = {'device': torch.cuda.get_device_name() if model.device.type == 'cuda' else 'cpu', 'context': a.context, 'new': a.new}
    toks = {}
    for k in a.kernels.split(','):
        logits, cache = prefill(model, ids, chunk_size=ids.shape[1]); sync()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            t0 = time.perf_counter(); d = GraphDecoder(model, cache, logits, a.new, kernel=k); sync(); t1 = time.perf_counter()
            warm = d.done; d.advance(a.new); sync(); t2 = time.perf_counter()
        toks[k] = d.tokens()
        out[k] = {'kernel_used': d.kernel, 'graph': d.graph is not None, 'setup_s': round(t1 - t0, 3),
                  'tok_s': round((d.done - warm) / (t2 - t1), 1), 'warnings': [str(x.message)[:200] for x in w if 'icmos' in str(x.message)]}
    if len(toks) == 2:
        x, y = toks.values(); out['same_prefix'] = next((i for i, (s, t) in enumerate(zip(x, y)) if s != t), min(len(x), len(y)))
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
