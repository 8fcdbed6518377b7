"""Issue 15, end to end: the memory runtime with the writer's distilled keys as a ranker, against its usual rankers, on
paraphrase needles whose template the writer never trained on (`icmos.writer.PARA_TEST_TEMPLATES`; the runtime's
paraphrase task draws from all 26, so samples of trained templates are skipped). Rows in runtime.csv's columns.

  python reports/scripts/writer_runtime_eval.py --encoder-dir /work/runs/gpu1/pre --length 32K --n 10 --out runs/wre.csv
  (ICMOS_DEVICE=cuda ICMOS_MODEL=... on a GPU; the encoder folder holds writer/ and distiller/ from writer_run.py)
"""
import argparse, json, sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from icmos.bench_runtime import COLUMNS, aggregate, run_one  # noqa: E402
from icmos.core import ICMOSConfig, load_model  # noqa: E402
from icmos.eval import parse_lengths  # noqa: E402
from icmos.runtime import ICMOS, RuntimeConfig  # noqa: E402
from icmos.tasks import make_sample  # noqa: E402
from icmos.writer import PARA_TEST_TEMPLATES  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--encoder-dir', required=True, help='folder with writer/ and distiller/ checkpoints')
    p.add_argument('--length', default='32K'); p.add_argument('--n', type=int, default=10)
    p.add_argument('--rankers', default='bm25,minilm;bm25,minilm,distilled;distilled', help="';'-separated ranker lists")
    p.add_argument('--budget', type=int, default=2048); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', required=True, help='CSV (rows appended); samples go beside it as .jsonl')
    a = p.parse_args(argv)
    L = parse_lengths(a.length)[0]
    cfg = ICMOSConfig.from_env(max_new_tokens=40)
    model, tok = load_model(cfg)
    samples, seed = [], a.seed
    while len(samples) < a.n:  # held-out templates only
        s = make_sample('paraphrase', tok, L, seed, depth=(len(samples) + 0.5) / a.n); seed += 1
        if s.metadata.get('template') in PARA_TEST_TEMPLATES: samples.append(s)
    out = Path(a.out); new = not out.exists()
    dev = 'cpu' if model.device.type == 'cpu' else __import__('torch').cuda.get_device_name(model.device)
    with open(out, 'a') as f, open(out.with_suffix('.jsonl'), 'a') as fs:
        if new: f.write(','.join(COLUMNS) + '\n')
        for rk in a.rankers.split(';'):
            rt = replace(RuntimeConfig(), rankers=rk, encoder_dir=a.encoder_dir if 'distilled' in rk else '')
            meth, recs = ICMOS(budget=a.budget, runtime=rt), []
            for s in samples:
                r = run_one('icmos', meth, model, tok, s, cfg, a.budget); recs.append(r)
                fs.write(json.dumps({'rankers': rk, 'seed': s.metadata.get('seed'), 'template': s.metadata.get('template'),
                                     'expected': s.answer, **{k: v for k, v in r.items() if k in ('status', 'score', 'recall', 'answer', 'chosen')}},
                                    default=str) + '\n'); fs.flush()
                print(rk, r.get('status'), r.get('score'), r.get('recall'), file=sys.stderr, flush=True)
            row = aggregate('icmos', 'paraphrase_heldout', L, a.budget, recs, dev, Path(cfg.model).name if cfg.model != 'smollm2' else 'SmolLM2-135M-Instruct')
            row['method'] = f"icmos[rankers={rk.replace(',', '+')}]"
            f.write(','.join(str(row.get(c, '')) for c in COLUMNS) + '\n'); f.flush()
            print(row, file=sys.stderr, flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
