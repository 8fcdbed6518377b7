# A hard-negative trace for the runtime report (CPU, 2 threads): blockfacts at 8K, seed 0, the runtime's default settings.
import sys, torch
from icmos.core import ICMOSConfig, load_model
from icmos.runtime import ICMOS, trace_png
from icmos.tasks import make_sample
torch.set_num_threads(2)
cfg = ICMOSConfig(device='cpu', max_new_tokens=40); model, tok = load_model(cfg)
s = make_sample('blockfacts', tok, 8000, 0, depth=0.5 / 20)
m = ICMOS(budget=2048); a = m.ask_text(model, tok, s.context, s.question, cfg)
facts = s.metadata['facts'] + s.metadata.get('negative_facts', [])
neg = [n for n in s.metadata['negative_values']]
spans = [(s.context.find(f), s.context.find(f) + len(f)) for f in s.metadata['facts']]
trace_png(m.memory_.last_trace, sys.argv[1], spans)
read = ' '.join(m.memory_.blocks[b].text for b in m.memory_.last_trace.chosen)
print('question:', s.question); print('answer:', a.text, '| expected', s.answer, '| score', s.score(a.text))
print('negative values in the blocks read:', [v for v in neg if v in read])
