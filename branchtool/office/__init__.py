"""Office mode: the college Party office's side of the bundles.

- ``create``: the office vault (``office init``) and its ``office.pub``;
- ``trust``: enrolled branches and their keys (enrol, rotate, re-enrol, revoke),
  every change recorded in ``trust_log`` and the vault's history chain;
- ``opening`` and ``checks``: a bundle file, checked in the issue's order
  (size, decryption, tar, schema, signature, recipient, sequence, chain),
  all in memory and before anything is written;
- ``importer``: many files in one run, committed as one journal batch;
- ``changes``: records a branch changed after reporting them;
- ``status`` and ``topics``: the dashboard (who reported, on time, totals, rates);
- ``summary``: the college summary (.xlsx, .md, .docx);
- ``receipts``: signed receipts for the branches, and applying them on the
  branch side;
- ``service``: ``OfficeService``, what the CLI and the screens call.

Nothing here imports textual.
"""
