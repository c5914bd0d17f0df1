"""The office's inbox files to its branches: notices, tasks and settings
the college Party office sends down, over the same USB sticks.

``format`` is the file (the bundle's construction, reversed: an age message
to the branch holding a two-member tar of ``inbox.json`` and its minisign
signature by the office); ``reader`` opens one on the branch, verifying
before it parses; ``outbox`` is the office's side (what it composed, what it
sent to whom); ``receive`` files what a branch imports; ``reply`` is what
the branch's next bundle tells the office back and the office's coverage.
"""
