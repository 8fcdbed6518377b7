"""Session 18's leak: does a block-by-block Trimmer bench process still grow from prompt to prompt? The bench's own path (`get_method('trimmer')`
answering `make_sample` prompts one after another, as `icmos bench trimmer --long-budget B --chunk-size C --rows-every 1` does through
`icmos.eval.run_cell`), a CSV row per prompt:
  peak_gpu_mb (the method's, what the bench writes), allocated_mb / reserved_mb after the prompt, graphs (eviction graphs the scorer
  holds) and graph_mb (`icmos.trimmer.graph_mb`), captures (eviction graphs captured so far) and capture_streams (distinct CUDA
  streams those captures ran on so far);
and at the end a row `prompt=-1` with cublas_ws_mb: the device memory PyTorch's cuBLAS workspaces held, measured as what
`torch._C._cuda_clearCublasWorkspaces()` frees (a workspace per stream a matmul ran on; 32 MiB each on Hopper).
Cause found in session 18 (7f1dcaf): each capture ran on a new `torch.cuda.Stream`, each keeping a workspace. `--streams new` puts that
back (a new stream per capture, `icmos.core.graph_stream` patched) for an A/B in one device call:
  python reports/scripts/trimmer_mem_probe.py --streams one --prompts 40 --out probe.csv
  python reports/scripts/trimmer_mem_probe.py --streams new --prompts 40 --out probe.csv
Expected if the cause is right: with `new`, peak_gpu_mb and allocated_mb step up ~32 MiB with each new capture stream (up to 32) and
cublas_ws_mb is ~32 MiB x (capture_streams + 1); with `one`, both stay flat once the graphs are held, cublas_ws_mb ~64 MiB.
CPU check (no graphs, zeros): --device cpu --dtype float32 --length 2000 --budget 512 --chunk 256 --prompts 3 --max-new-tokens 4"""
import argparse, csv, os, sys
import torch
import icmos.core as core, icmos.trimmer as T
from icmos.core import ICMOSConfig, get_method, load_model
from icmos.eval import run_sample
from icmos.tasks import make_sample

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default='smollm2'); p.add_argument('--device', default='cuda'); p.add_argument('--dtype', default='bfloat16')
p.add_argument('--task', default='niah_multikey'); p.add_argument('--length', type=int, default=32000)
p.add_argument('--budget', type=int, default=4096); p.add_argument('--chunk', type=int, default=2048)
p.add_argument('--prompts', type=int, default=40); p.add_argument('--start', type=int, default=30, help='first sample (the bench shard _from30: 30)')
p.add_argument('--n', type=int, default=120, help="the bench's --n (needle depths)"); p.add_argument('--max-new-tokens', type=int, default=48)
p.add_argument('--checkpoint', default=str(T.default_checkpoint('trimmer-smollm2-v3')))
p.add_argument('--streams', choices=('one', 'new'), default='one', help="one: the code as it is; new: a new stream per capture (before 7f1dcaf)")
p.add_argument('--out', required=True)
a = p.parse_args()

cfg = ICMOSConfig(model=a.model, device=a.device, dtype=a.dtype, chunk_size=a.chunk, max_new_tokens=a.max_new_tokens)
model, tok = load_model(cfg)
os.environ['ICMOS_TRIMMER'] = a.checkpoint  # where TrimmerMethod finds it (as the bench sets it)
dev, cuda = model.device, model.device.type == 'cuda'
mb = lambda f: round(f(dev) / 2 ** 20, 1) if cuda else 0.0

if a.streams == 'new': core.graph_stream = lambda d: torch.cuda.Stream(d)  # read at each call by `_cuda_graph` and `GraphDecoder`
captures, streams, real = [0], set(), T._cuda_graph
def counted(fn, d):
    "`_cuda_graph`, counting captures and the streams their warm-ups and captures run on."
    def tracked():
        streams.add(torch.cuda.current_stream(d).cuda_stream); return fn()
    captures[0] += 1
    return real(tracked, d)
T._cuda_graph = counted

cols = ['streams', 'task', 'prompt', 'seed', 'tokens', 'answer_tokens', 'peak_gpu_mb', 'allocated_mb', 'reserved_mb', 'graphs', 'graph_mb',
        'captures', 'capture_streams', 'cublas_ws_mb', 'device']
new = not os.path.exists(a.out) or os.path.getsize(a.out) == 0
f = open(a.out, 'a', newline=''); w = csv.DictWriter(f, cols)
if new: w.writeheader()
meth = get_method('trimmer', a.budget)
row = lambda **kw: {c: kw.get(c, '') for c in cols} | dict(streams=a.streams, task=a.task, device=torch.cuda.get_device_name(dev) if cuda else 'cpu')
for i in range(a.start, a.start + a.prompts):
    s = make_sample(a.task, tok, a.length, i, depth=T.sample_depth(i, a.n, True))
    r = run_sample(meth, model, tok, s, cfg, strict=True)
    if cuda: torch.cuda.synchronize(dev)
    sc = meth._scorer
    x = row(prompt=i - a.start, seed=i, tokens=r['context_tokens'], answer_tokens=r['new_tokens'], peak_gpu_mb=round(r['peak_gpu_mb'], 1),
            allocated_mb=mb(torch.cuda.memory_allocated), reserved_mb=mb(torch.cuda.memory_reserved),
            graphs=len(sc.__dict__.get('_icmos_graphs', {})), graph_mb=round(T.graph_mb(sc), 1), captures=captures[0], capture_streams=len(streams))
    w.writerow(x); f.flush(); print(x, flush=True)
ws = 0.0
if cuda:  # what the cuBLAS workspaces hold: the memory their release frees
    torch.cuda.synchronize(dev); m0 = torch.cuda.memory_allocated(dev)
    torch._C._cuda_clearCublasWorkspaces(); torch.cuda.synchronize(dev)
    ws = round((m0 - torch.cuda.memory_allocated(dev)) / 2 ** 20, 1)
x = row(prompt=-1, captures=captures[0], capture_streams=len(streams), cublas_ws_mb=ws, allocated_mb=mb(torch.cuda.memory_allocated))
w.writerow(x); f.close(); print(x, flush=True)
