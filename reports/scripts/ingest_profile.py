"""Where the memory runtime's write path spends its time (issue 12, ingest >= 500K tok/s): one 1M-token document
written into a `Memory` (per-stage seconds), then the MiniLM keys of the same sentences embedded again with other
batch caps, each split into host tokenisation and the batched forward, and a torch.profiler table of one embed.

  python reports/scripts/ingest_profile.py --length 1M --out /root/res/ingest_profile.json
"""
import argparse, json, sys, time

import torch

import icmos.rag as rag
from icmos.core import ICMOSConfig, load_model
from icmos.runtime import Memory, RuntimeConfig
from icmos.tasks import make_sample


def sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--length', default='1M'); p.add_argument('--device', default=None)
    p.add_argument('--caps', default='256:32768,256:131072', help='batch:max_batch_tokens pairs to time (on CUDA only the tokens bound a batch since the cap change)')
    p.add_argument('--out', required=True)
    a = p.parse_args(argv)
    L = int(float(a.length[:-1]) * {'K': 1000, 'M': 1_000_000}[a.length[-1].upper()]) if a.length[-1] in 'KkMm' else int(a.length)
    icfg = ICMOSConfig.from_env(device=a.device)  # ICMOS_MODEL names the model file on a GPU machine
    model, tok = load_model(icfg)
    rec = {'device': torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu', 'length': L}
    seen = []
    orig = rag.embed
    def spy(texts, *args, **kw):
        seen.append(list(texts)); return orig(texts, *args, **kw)
    rag.embed = spy  # Dense.embed looks it up on each call
    warm = make_sample('niah_single', tok, 50_000, seed=99)
    Memory(RuntimeConfig(), model, tok, icfg).write(warm.context)  # loads the embedder, warms the kernels
    seen.clear()
    s = make_sample('niah_single', tok, L, seed=0)
    mem = Memory(RuntimeConfig(), model, tok, icfg)
    sync(); t0 = time.perf_counter(); mem.write(s.context); sync(); t = time.perf_counter() - t0
    dense = next((r for r in mem.rankers if hasattr(r, 'add_s')), None)
    rec['write'] = {'seconds': t, 'tok_s': L / t, 'stages': mem.write_timings, 'dense_add_s': getattr(dense, 'add_s', None)}
    texts = [x for b in seen for x in b]
    rec['sentences'] = len(texts); rec['embed_calls'] = len(seen)
    print(json.dumps(rec['write']), len(texts), 'texts in', len(seen), 'calls', file=sys.stderr, flush=True)
    mdl, etok = rag.load_embedder(model.device)
    t0 = time.perf_counter(); ids = rag._embed_ids(etok, list(dict.fromkeys(texts)), 256); t_tok = time.perf_counter() - t0
    rec['wordpiece_s'] = t_tok; rec['wordpiece_tokens'] = sum(map(len, ids))
    rec['caps'] = []
    for cap in a.caps.split(','):
        b, m = map(int, cap.split(':'))
        sync(); t0 = time.perf_counter(); orig(texts, device=model.device, batch=b, max_batch_tokens=m); sync()
        rec['caps'].append({'batch': b, 'max_batch_tokens': m, 'seconds': time.perf_counter() - t0})
        print(rec['caps'][-1], file=sys.stderr, flush=True)
    from torch.profiler import profile, ProfilerActivity
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
    with profile(activities=acts) as prof:
        orig(texts, device=model.device, batch=256); sync()
    rec['profile'] = prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=25)
    print(rec['profile'], file=sys.stderr)
    json.dump(rec, open(a.out, 'w'), indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
