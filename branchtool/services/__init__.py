"""Services: what the secretary does, as sentences (``roster.add(values)``).

Services take a vault's partitions and batch from ``branchtool.session`` and
hold no UI; screens and the CLI call them.
"""
