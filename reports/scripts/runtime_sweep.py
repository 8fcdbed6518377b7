"""Read-path sweep of the memory runtime: each sample is written into one Memory once, then asked under every variant
of the read-side settings (RuntimeConfig fields that do not change what is written: rerank, margin, candidates,
lookalikes, top_k, ...). A development tool for choosing defaults on the GPU; the benchmark of record is
`icmos bench runtime`. One JSON line per (sample, variant) goes to --out as it is measured.

  python reports/scripts/runtime_sweep.py --tasks paraphrase,niah_multikey --lengths 32K --n 20 \
      --variants 'base=;keep=lookalikes:keep;c48=candidates:48' --out /root/res/sweep.jsonl
"""
import argparse, dataclasses, json, sys, time

import torch

from icmos.bench_runtime import decode_config, fact_recall
from icmos.core import ICMOSConfig, load_model
from icmos.runtime import Memory, RuntimeConfig
from icmos.tasks import make_sample


def parse_len(s: str) -> int:
    s = s.strip().upper()
    return int(float(s[:-1]) * {'K': 1000, 'M': 1_000_000}[s[-1]]) if s[-1] in 'KM' else int(s)


def parse_variants(spec: str) -> dict[str, dict]:
    "'name=field:value,field:value;name2=' -> {name: {field: value}} (values cast to the field's type)."
    types = {f.name: f.type for f in dataclasses.fields(RuntimeConfig)}
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(';'))):
        name, _, kv = part.partition('=')
        d = {}
        for item in filter(None, kv.split(',')):
            k, _, v = item.partition(':')
            t = types[k.strip()]
            d[k.strip()] = int(v) if t in ('int', int) else float(v) if t in ('float', float) else v
        RuntimeConfig(**d)  # validate now
        out[name.strip()] = d
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--tasks', required=True); p.add_argument('--lengths', required=True)
    p.add_argument('--n', type=int, default=20); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--variants', default='base=')
    p.add_argument('--model', default=None); p.add_argument('--device', default=None); p.add_argument('--dtype', default='auto')
    p.add_argument('--budget', type=int, default=2048); p.add_argument('--max-new-tokens', type=int, default=40)
    p.add_argument('--out', required=True); p.add_argument('--time-limit', type=float, default=1e9)
    a = p.parse_args(argv)
    variants = parse_variants(a.variants)
    icfg = ICMOSConfig(**{k: v for k, v in dict(model=a.model, device=a.device, dtype=a.dtype, max_new_tokens=a.max_new_tokens).items() if v is not None})
    model, tok = load_model(icfg)
    t_start = time.time()
    with open(a.out, 'a') as out:
        for task in a.tasks.split(','):
            for L in map(parse_len, a.lengths.split(',')):
                for i in range(a.n):
                    if time.time() - t_start > a.time_limit: print('time limit', file=sys.stderr); return 0
                    s = make_sample(task, tok, L, seed=a.seed + i)
                    mem = Memory(RuntimeConfig(), model, tok, icfg)
                    mem.write(s.context)
                    base = dict(task=task, length=L, seed=a.seed + i, n_tokens=mem.n_tokens, ingest_s=round(mem.ingest_s, 4),
                                write_timings={k: round(v, 4) for k, v in mem.write_timings.items()},
                                dense_add_s={k: round(v, 4) for r in mem.rankers for k, v in getattr(r, 'add_s', {}).items()})
                    for name, over in variants.items():
                        mem.cfg = dataclasses.replace(RuntimeConfig(), **over)
                        ans = mem.ask(s.question, budget=a.budget, max_new_tokens=decode_config(icfg, s).max_new_tokens)
                        tr = mem.last_trace
                        row = dict(base, variant=name, score=s.score(ans.text), answer=ans.text[:200],
                                   read_recall=fact_recall(s, [s.context[x:y] for x, y in tr.assembled]),
                                   prompt_tokens=tr.prompt_tokens, timings={k: round(v, 4) for k, v in tr.timings.items()})
                        out.write(json.dumps(row) + '\n'); out.flush()
                    del mem
                    if torch.cuda.is_available(): torch.cuda.empty_cache()
    return 0


if __name__ == '__main__':
    sys.exit(main())
