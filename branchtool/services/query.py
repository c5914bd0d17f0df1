"""TinyDB's ``where``, made once per field name.

Services read partitions with TinyDB queries: ``where("person") == pid``.
TinyDB builds a ``Query`` object for ``where(name)`` every time (two objects,
before the test itself); a ``Query`` never changes once made, so the one for
each field name is kept and reused. Use exactly as ``tinydb.where``.
"""

from __future__ import annotations

import functools

from tinydb import where as _where
from tinydb.queries import Query

where: functools._lru_cache_wrapper[Query] = functools.lru_cache(maxsize=256)(_where)
