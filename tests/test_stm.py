"STM phase 1a: the bench end to end on CPU, sharded over 2 accelerate processes, and its bad-input errors."
import csv, os, random, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _env():
    return dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]))

def _rows(p): return list(csv.DictReader(open(p, newline='')))

def test_bench_two_processes_cpu(tmp_path):
    """Examples are split across 2 CPU processes (accelerate), results gathered into one CSV, STMs saved per process.
    `accelerate launch --cpu` starts a single process (several CPU processes need mpirun there), so the processes are
    started with torchrun, whose environment `Accelerator(cpu=True)` reads (MULTI_CPU, gloo); on GPUs the same script
    runs under `accelerate launch --multi_gpu --num_processes N`."""
    out, work = tmp_path / 'out', tmp_path / 'work'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', str(random.randint(20000, 40000)),
           str(ROOT / 'tests' / '_stm_launch.py'), 'bench', 'stm', '--K', '4', '--num-examples', '2', '--steps', '2', '--restarts', '0',
           '--lr', '0.1', '--stages', '2', '--mitigations-K', '0', '--out', str(out), '--work-dir', str(work),
           '--device', 'cpu', '--no-progress']
    p = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-4000:]
    ex = _rows(out / 'stm_examples.csv')
    assert sorted(r['id'] for r in ex) == ['0-0', '0-1']
    assert sorted(r['rank'] for r in ex) == ['0', '1']          # one example per process
    stm = _rows(out / 'stm.csv')
    assert list(stm[0]) == ['model', 'K', 'stage', 'n', 'converged_rate', 'exact_q_rate', 'exact_a_rate',
                            'exact_among_converged', 'mean_steps', 'examples_per_gpu_hour', 'device']
    assert [r['stage'] for r in stm] == ['2-joint', '3-greedy'] and all(r['n'] == '2' for r in stm)
    assert stm[0]['device'] == 'cpu x2 processes'
    assert len(list(work.rglob('*.safetensors'))) == 2          # each process saved its STM (resumable)

def test_bench_bad_input():
    "Bad flags give one clear line and exit code 2, before the model is loaded."
    for argv, msg in [(['--K', '3'], 'K: must be an integer in [4, 128]'), (['--n', '0'], '--n: need at least one example'),
                      (['--lr', 'fast'], "--lr: give a number or 'auto'"), (['--steps', '0'], 'steps: must be an integer')]:
        p = subprocess.run([sys.executable, str(ROOT / 'tests' / '_stm_launch.py'), 'bench', 'stm', '--device', 'cpu', *argv],
                           env=_env(), capture_output=True, text=True, timeout=300)
        assert p.returncode == 2, (argv, p.stderr[-2000:])
        assert msg in p.stderr and p.stderr.strip().count('\n') == 0, (argv, p.stderr)

def test_encoder_bench_bad_input():
    "`icmos bench stm-encoder`: bad flags give one clear line and exit code 2, before any model or data is loaded."
    for argv, msg in [(['--methods', 'mix'], '--targets: regression and mix need optimised STMs'),
                      (['--n-train', '0'], '--n-train: sizes must be at least 1'),
                      (['--K', '200'], 'K must be an integer in [4, 128]'),
                      (['--refine', '-1'], '--refine: optimiser updates must be >= 0'),
                      (['--refine-lr', '0'], 'lr: must be a number in (0, 1000.0]'),
                      (['--methods', 'e2e', '--targets', '/nonexistent/stm-work'], 'is not a folder')]:
        p = subprocess.run([sys.executable, str(ROOT / 'tests' / '_stm_launch.py'), 'bench', 'stm-encoder', '--device', 'cpu', *argv],
                           env=_env(), capture_output=True, text=True, timeout=300)
        assert p.returncode == 2 and msg in p.stderr, (argv, p.returncode, p.stderr[-2000:])
