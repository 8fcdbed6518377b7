"""Install ICMOS from `settings.ini` (the single place its metadata and requirements live)."""
from configparser import ConfigParser
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
c = cfg['DEFAULT']
reqs = c.get('requirements', '').split()
dev_reqs = c.get('dev_requirements', '').split()
scripts = [s.strip() for s in c.get('console_scripts', '').split(';') if s.strip()]

setuptools.setup(
    name=c['lib_name'], version=c['version'], description=c['description'],
    license='Apache-2.0', author=c['author'], author_email=c['author_email'],
    url=c['git_url'], packages=setuptools.find_packages(include=['icmos', 'icmos.*']) + ['icmos.data'],
    # the shipped checkpoints (data/<name>/: config.json, model.safetensors, lora.safetensors if any) install as icmos/data/<name>/: package data that
    # `icmos.trimmer.default_checkpoint` finds after a pip install, where the source tree's data/ is not there
    package_dir={'icmos.data': 'data'}, package_data={'icmos.data': ['*/*.json', '*/*.safetensors']},
    include_package_data=True, install_requires=reqs, extras_require={'dev': dev_reqs},
    python_requires='>=' + c['min_python'], entry_points={'console_scripts': scripts},
    long_description=open('README.md', encoding='utf-8').read() if __import__('os').path.exists('README.md') else '',
    long_description_content_type='text/markdown', zip_safe=False,
    keywords=c['keywords'].split(), project_urls={'Source': c['git_url']},
    classifiers=['Programming Language :: Python :: 3', 'License :: OSI Approved :: Apache Software License',
                 'Topic :: Scientific/Engineering :: Artificial Intelligence'])
