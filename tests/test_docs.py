"""The docs site builds and every API notebook renders to a page (with its title and exported symbols)."""
import subprocess, sys
from pathlib import Path
from conftest import ROOT

def test_docs_site_builds(tmp_path):
    out = tmp_path / 'site'
    r = subprocess.run([sys.executable, str(ROOT / '.ci' / 'build_docs.py'), '--out', str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    index = (out / 'index.html').read_text()
    api = sorted((ROOT / 'nbs' / 'api').glob('*.ipynb'))
    assert api
    for nb in api:
        page = out / 'api' / (nb.stem.split('_', 1)[1] + '.html')
        assert page.is_file(), f'{nb.name} did not render'
        html = page.read_text()
        assert 'icmos-nav' in html and len(html) > 5000
        assert f'api/{page.name}' in index  # the index links every page
    core = (out / 'api' / 'core.html').read_text()
    assert 'ICMOSConfig' in core and 'load_model' in core
    assert '#| export' not in core  # nbdev directives were processed, not shown raw
