"""Build the documentation site into _site/ without Quarto (it cannot be installed on our machines).

nbdev_proc_nbs applies nbdev's directives (#| hide, #| export, show_doc ...) into _proc/; jupyter nbconvert
renders each processed notebook to HTML; every page gets a sidebar linking all pages. A machine with Quarto can
instead run `nbdev_preview` / `nbdev_docs` on the same _quarto.yml.
usage: python .ci/build_docs.py [--out _site]"""
import argparse, html, json, os, re, shutil, stat, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('--out', default=str(root / '_site'))
out = Path(ap.parse_args().out)
bindir = Path(sys.executable).parent

# nbdev_proc_nbs insists on finding quarto; give it a stub that only answers --version
stub = Path(tempfile.mkdtemp()); q = stub / 'quarto'
q.write_text('#!/bin/sh\n[ "$1" = "--version" ] && echo 1.5.57\nexit 0\n'); q.chmod(q.stat().st_mode | stat.S_IEXEC)
env = {**os.environ, 'PATH': f'{stub}:{bindir}:{os.environ["PATH"]}'}
subprocess.run([str(bindir / 'nbdev_proc_nbs')], cwd=root, env=env, check=True)
proc = root / '_proc'

def title(nb: Path) -> str:
    for c in json.loads(nb.read_text())['cells']:
        if c['cell_type'] == 'markdown':
            m = re.search(r'^#\s+(.+)$', ''.join(c['source']), re.M)
            if m: return m.group(1).strip()
    return nb.stem

pages = sorted(p for p in proc.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)
if out.exists(): shutil.rmtree(out)
out.mkdir(parents=True)
entries = []
for nb in pages:
    rel = nb.relative_to(proc).with_suffix('.html')
    rel = rel.with_name(re.sub(r'^\d+_', '', rel.name))  # 00_core.html -> core.html, as nbdev/Quarto names pages
    (out / rel.parent).mkdir(parents=True, exist_ok=True)
    subprocess.run([str(bindir / 'jupyter'), 'nbconvert', '--to', 'html', '--log-level', 'WARN',
                    '--output-dir', str(out / rel.parent), '--output', rel.stem, str(nb)], env=env, check=True)
    entries.append((rel, title(nb)))

def nav(current: Path) -> str:
    up = '../' * len(current.parent.parts)
    groups = {}
    for rel, t in entries: groups.setdefault(rel.parent.as_posix(), []).append((rel, t))
    names = {'.': '', 'api': 'API', 'reports': 'Reports'}
    items = []
    for g, lst in groups.items():
        if names.get(g, g): items.append(f'<li class="sec">{html.escape(names.get(g, g))}</li>')
        for rel, t in lst:
            cls = ' class="here"' if rel == current else ''
            items.append(f'<li><a{cls} href="{up}{rel.as_posix()}">{html.escape(t)}</a></li>')
    return ('<nav id="icmos-nav"><a class="brand" href="' + up + 'index.html">ICMOS</a><ul>' + ''.join(items) + '</ul></nav>')

css = ('<style>#icmos-nav{position:fixed;top:0;left:0;bottom:0;width:220px;overflow:auto;padding:16px;'
       'background:#f6f8fa;border-right:1px solid #ddd;font:14px/1.5 system-ui,sans-serif}'
       '#icmos-nav ul{list-style:none;padding:0}#icmos-nav li.sec{margin-top:12px;font-weight:600;color:#555}'
       '#icmos-nav a{text-decoration:none;color:#0366d6}#icmos-nav a.here{font-weight:700;color:#111}'
       '#icmos-nav .brand{font-size:20px;font-weight:700;color:#111}body{margin-left:250px!important}'
       '.jp-InputPrompt,.jp-OutputPrompt{display:none!important}</style>')
for rel, _ in entries:
    f = out / rel
    s = f.read_text(encoding='utf-8')
    s = s.replace('</head>', css + '</head>', 1)
    s = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + nav(rel), s, count=1)
    f.write_text(s, encoding='utf-8')
for extra in ('styles.css',):
    if (proc / extra).exists(): shutil.copy(proc / extra, out / extra)
print(f'built {len(entries)} pages into {out}')
