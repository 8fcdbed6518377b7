"""Runtime configs compared on the same samples with one write per sample: `icmos bench runtime` writes a new memory for
every method and sample (on the 2-core CPU ~15-30 s of MiniLM per 32K-token sample); here each sample's memory is written
once per distinct write setting and every config reads it; configs that differ only in `split` share one memory for a
sample whose text `split='records'` cuts no differently from `split='sentences'` (checked per sample with `split_units`). Rows (CSV) and samples (JSONL) as `icmos bench runtime` writes them; the answers are the ones the bench would give
(the write path is deterministic: the same units, keys and index).

    PYTHONPATH=. python reports/scripts/runtime_paired.py --device cpu --methods 'icmos,icmos[chain_extra=0;split=sentences;order=doc]' \
        --tasks prose_2hop,paraphrase --lengths 32K --n 20 --seed 100 --out F.csv --samples-out F.jsonl
"""
import argparse, json, re, sys, time
from pathlib import Path
from dataclasses import fields

from icmos.bench_runtime import COLUMNS, aggregate, decode_config, make_method, memory_record
from icmos.cli import _config, _model_flags
from icmos.core import ICMOSError, load_model, split_list
from icmos.eval import _write_row, device_name, model_label, parse_lengths
from icmos.ingest import split_units
from icmos.runtime import Memory, RuntimeConfig
from icmos.tasks import make_sample

_WRITE = ('split', 'block_words', 'overlap', 'rankers', 'keys', 'index', 'encoder_dir', 'kv_tier', 'kv_dir', 'kv_max_gb', 'workers', 'piece_chars')

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--methods', required=True); p.add_argument('--tasks', required=True); p.add_argument('--lengths', default='32K')
    p.add_argument('--n', type=int, default=20); p.add_argument('--seed', type=int, default=100); p.add_argument('--budget', type=int, default=2048)
    p.add_argument('--out', required=True); p.add_argument('--samples-out', required=True)
    _model_flags(p)
    args = p.parse_args()
    cfg = _config(args)
    specs = [m.replace(';', ',') for m in re.split(r',(?![^\[]*\])', args.methods) if m.strip()]
    meths = {s: make_method(s, args.budget) for s in specs}
    groups: dict[tuple, list[str]] = {}  # write settings -> the configs that read that memory
    for s, m in meths.items():
        rc = m.runtime
        groups.setdefault(tuple(getattr(rc, f) for f in _WRITE), []).append(s)
    model, tok = load_model(cfg)
    dev, label = device_name(model), model_label(cfg)
    with open(args.samples_out, 'a') as smp:
        for L in parse_lengths(args.lengths):
            for t in split_list(args.tasks):
                recs = {s: [] for s in specs}
                for i in range(args.n):
                    s = make_sample(t, tok, L, args.seed + i, depth=(i + 0.5) / args.n)
                    c = decode_config(cfg, s)
                    same = split_units(s.context, max_words=120) == split_units(s.context, max_words=120, records=True)
                    todo: dict[tuple, list[str]] = {}  # this sample's memories: split set aside where it cuts nothing
                    for key, names in groups.items(): todo.setdefault(key[1:] if same else key, []).extend(names)
                    for key, names in todo.items():
                        mem = Memory(meths[names[0]].runtime, model, tok, c)
                        mem.write(s.context)
                        for name in names:
                            mem.cfg = meths[name].runtime
                            try:
                                a = mem.ask(s.question, args.budget, c.max_new_tokens, name=name); tr = mem.last_trace
                                r = dict(memory_record(mem, s), read=[[mem.units.text[u] for u in h.units] for h in tr.hops],
                                         status='ok', score=s.score(a.text),
                                         answer=a.text, query_s=a.prefill_s, new_tokens=a.new_tokens, decode_s=a.decode_s,
                                         peak_gpu_mb=a.peak_gpu_mb, kept=a.budget_tokens, shared_write=len(names) > 1)
                            except ICMOSError as e: r = {'status': f'refused: {e}'}
                            recs[name].append(r)
                            smp.write(json.dumps({'method': name, 'task': t, 'length': L, 'seed': args.seed + i, 'expected': s.answer, **r}, default=str) + '\n'); smp.flush()
                    print(f'{t} {L} seed {args.seed + i}: ' + ' '.join(f"{n}={recs[n][-1].get('score')}/{recs[n][-1].get('read_recall')}" for n in specs),
                          file=sys.stderr, flush=True)
                for name in specs:
                    row = aggregate(name, t, L, args.budget, recs[name], dev, label)
                    _write_row(Path(args.out), row, columns=COLUMNS, what='runtime')
                    print(f"{name:40s} {t:14s} {L:>7d} acc={row['accuracy']} recall@4={row['block_recall_at_4']}", file=sys.stderr, flush=True)

if __name__ == '__main__': main()
