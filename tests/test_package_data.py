"""The shipped Trimmer checkpoints are package data: a wheel holds them (a LoRA adapter too) and `default_checkpoint` finds them
there, in the installed package, not in the source tree."""
import os, shutil, subprocess, sys, zipfile
from pathlib import Path
from conftest import ROOT

CKPTS = ('trimmer-smollm2', 'trimmer-smollm2-v1', 'trimmer-smollm2-v3')

def test_wheel_ships_the_checkpoints(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    for f in ('setup.py', 'settings.ini', 'pyproject.toml', 'README.md'): shutil.copy(ROOT / f, src / f)
    for d in ('icmos', 'data'): shutil.copytree(ROOT / d, src / d, ignore=shutil.ignore_patterns('__pycache__'))
    from icmos.trimmer import LORA_FILE
    (src / 'data' / CKPTS[-1] / LORA_FILE).write_bytes(b'lora')  # a checkpoint with an adapter: its file must travel too
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', str(src), '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp_path / 'whl')],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    whl, = (tmp_path / 'whl').glob('icmos-*.whl')
    names = set(zipfile.ZipFile(whl).namelist())
    for c in CKPTS:
        assert {f'icmos/data/{c}/config.json', f'icmos/data/{c}/model.safetensors'} <= names, c
    assert f'icmos/data/{CKPTS[-1]}/{LORA_FILE}' in names, 'a LoRA adapter would not ship'
    site = tmp_path / 'site'
    zipfile.ZipFile(whl).extractall(site)  # the installed package, no source tree beside it
    code = ("import icmos, json; from icmos.trimmer import default_checkpoint as d; print(icmos.__file__); "
            "print(d()); print(json.loads((d('trimmer-smollm2-v3') / 'config.json').read_text())['window'])")
    env = {k: v for k, v in os.environ.items() if k not in ('ICMOS_TRIMMER', 'PYTHONPATH')}
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=tmp_path, env={**env, 'PYTHONPATH': str(site)}, timeout=300)
    assert r.returncode == 0, r.stderr
    mod, ck, window = r.stdout.split('\n')[:3]
    site = site.resolve()  # default_checkpoint resolves icmos.__file__ (tmp_path may hold a symlink)
    assert Path(mod).resolve().is_relative_to(site), mod  # the wheel's icmos, not the source tree's (or an editable install's)
    # the installed package's data: without it default_checkpoint would fall back to <site>/data/ (absent), or name the source tree
    assert Path(ck) == site / 'icmos' / 'data' / 'trimmer-smollm2-v3', ck
    assert not Path(ck).is_relative_to(ROOT.resolve()), ck
    assert window == '0.25'
