"""How different are the detail tokens a writer writes for different blocks? `spread` (std across blocks over RMS; 0 =
one D for every block) of each run's writer on the same held-out test blocks, before and after training.

  python reports/scripts/writer_spread.py OUT.csv LABEL=RUN_DIR [LABEL=RUN_DIR ...]

Reads checkpoints of any format so far: a writer saved before the input statistics existed (format 1) loads with
mean 0 / std 1, i.e. the raw states it was trained on. The untrained row is Writer.for_model with the run's config and seed 0.
"""
import csv, json, sys
from pathlib import Path

import torch
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from icmos.core import ICMOSConfig, load_model  # noqa: E402
from icmos import writer as W  # noqa: E402


def _load(d, model, tok):
    meta = json.loads((Path(d) / 'writer' / 'config.json').read_text())
    cfg = W.WriterConfig(**{k: v for k, v in meta['config'].items() if k in W.WriterConfig.__dataclass_fields__})
    w = W.Writer(cfg, int(meta['d_lm']), float(meta['emb_rms']), meta.get('fingerprint', ''))
    missing, unexpected = w.load_state_dict(load_file(str(Path(d) / 'writer' / 'model.safetensors')), strict=False)
    assert not unexpected and set(missing) <= {'qformer.in_mean', 'qformer.in_std'}, (missing, unexpected)
    return w.eval(), meta['format'], bool(missing)


def main(out, *runs):
    model, tok = load_model(ICMOSConfig(device='cpu', dtype='float32'))
    rows = []
    for spec in runs:
        label, d = spec.split('=', 1)
        w, fmt, raw = _load(d, model, tok)
        texts = [e['text'] for e in W.writer_examples(tok, 24, seed=0, block_tokens=w.cfg.block_tokens, split='test')]
        torch.manual_seed(0); w0 = W.Writer.for_model(model, tok, w.cfg)
        if raw: w0.qformer.in_mean.zero_(); w0.qformer.in_std.fill_(1.0)
        with torch.no_grad():
            for stage, ww in (('untrained', w0), ('trained', w)):
                D = torch.cat([ww.encode(model, tok, texts[i:i + 16]) for i in range(0, len(texts), 16)])
                rows.append(dict(run=label, stage=stage, inputs='raw states' if raw else 'standardised', format=fmt,
                                 blocks=len(texts), spread=round(W.spread(D), 4)))
                print(rows[-1])
    with open(out, 'w', newline='') as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0])); wr.writeheader(); wr.writerows(rows)


if __name__ == '__main__':
    if len(sys.argv) < 3: sys.exit(__doc__)
    main(*sys.argv[1:])
