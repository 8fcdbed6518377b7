"""The docs site builds and every API notebook renders to a page (with its title and exported symbols)."""
import json, subprocess, sys
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

def _imports_and_code(src: str) -> bool:
    "What nbdev's docs build evaluates out of flow (`nbdev.processors._do_eval`): a cell with an import anywhere in it (even after a `;`) and other statements."
    import ast
    try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))))
    except SyntaxError: return False
    has_import = any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))
    return has_import and any(not isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body)

def test_notebook_imports_stand_alone():
    "The docs build (nbdev_proc_nbs) executes every cell that holds an import, out of the notebook's flow: such a cell must hold nothing else."
    bad = []
    for nb in sorted((ROOT / 'nbs').rglob('*.ipynb')):
        for i, c in enumerate(json.loads(nb.read_text())['cells']):
            src = ''.join(c['source'])
            if c['cell_type'] != 'code' or src.startswith('#| export'): continue
            if _imports_and_code(src): bad.append(f'{nb.relative_to(ROOT)} cell {i}')
    assert not bad, 'move the import lines into a cell of their own: ' + ', '.join(bad)

def test_import_check_sees_what_nbdev_sees():
    assert _imports_and_code('x = 1; import os') and _imports_and_code('import os\nx = 1')
    assert not _imports_and_code('import os\nfrom pathlib import Path') and not _imports_and_code('x = 1')
