"""Benchmarks: scripts that print figures (never assertions).

Run each from the repository root as a module, ``python -m bench.<name>``
(``python -m bench.export --people 3000``), with branchtool installed
(``pip install -e .``): the shared builders come from ``tests`` and
``bench.timing`` by ordinary imports, never by editing ``sys.path``.
"""
