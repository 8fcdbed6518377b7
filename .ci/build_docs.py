"""Build the documentation site into _site/ without Quarto (it cannot be installed on our machines).

nbdev_proc_nbs applies nbdev's directives (#| hide, #| export, show_doc ...) into _proc/; jupyter nbconvert
renders each processed notebook to HTML; every page gets a sidebar linking all pages. A machine with Quarto can
instead run `nbdev_preview` / `nbdev_docs` on the same _quarto.yml.
usage: python .ci/build_docs.py [--out _site]"""
import argparse, html, json, os, re, shutil, stat, subprocess, sys, tempfile
import yaml
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

def prepare(nb: Path) -> str:
    "Do what Quarto would: front matter -> title + description, hide `#| echo: false` sources. Returns the title."
    d = json.loads(nb.read_text()); cells, title = [], nb.stem
    for c in d['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'raw' and src.startswith('---'):
            meta = yaml.safe_load(src.strip().strip('-')) or {}
            title, desc = str(meta.get('title', title)), str(meta.get('description', ''))
            md = f'# {title}' + (f'\n\n> {desc}' if desc else '')
            cells.append({'cell_type': 'markdown', 'id': c.get('id') or 'front-matter', 'metadata': {}, 'source': md}); continue
        if c['cell_type'] == 'markdown' and title == nb.stem and src.startswith('# '):
            title = src[2:].splitlines()[0].strip()  # no front matter: the first heading names the page
        if c['cell_type'] == 'markdown':  # links written for GitHub (nbs/x/y.ipynb) point at the rendered pages
            c['source'] = re.sub(r'\]\((?:\.\./)*(?:nbs/)?([^)\s]+?)\.ipynb\)',
                                 lambda m: '](' + '../' * len(nb.relative_to(proc).parent.parts) + re.sub(r'(^|/)\d+_', r'\1', m.group(1)) + '.html)',
                                 src)
        if c['cell_type'] == 'code':
            c.pop('has_sd', None)  # nbdev_proc_nbs marks show_doc cells on the cell itself; nbformat rejects the key
            if re.search(r'^#\|\s*echo:\s*false', src, re.M):
                c.setdefault('metadata', {}).setdefault('tags', []).append('remove_input')
            c['source'] = re.sub(r'^#\|.*\n?', '', src, flags=re.M)  # directives are for nbdev, not readers
        cells.append(c)
    d['cells'] = cells
    nb.write_text(json.dumps(d))
    return title

pages = sorted((p for p in proc.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts),
               key=lambda p: (p.relative_to(proc).parent != Path('.'), str(p.relative_to(proc))))
if out.exists(): shutil.rmtree(out)
out.mkdir(parents=True)
entries = []
for nb in pages:
    rel = nb.relative_to(proc).with_suffix('.html')
    rel = rel.with_name(re.sub(r'^\d+_', '', rel.name))  # 00_core.html -> core.html, as nbdev/Quarto names pages
    (out / rel.parent).mkdir(parents=True, exist_ok=True)
    t = prepare(nb)
    subprocess.run([str(bindir / 'jupyter'), 'nbconvert', '--to', 'html', '--log-level', 'WARN',
                    '--TagRemovePreprocessor.enabled=True', '--TagRemovePreprocessor.remove_input_tags=remove_input',
                    '--output-dir', str(out / rel.parent), '--output', rel.stem, str(nb)], env=env, check=True)
    entries.append((rel, t))

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
