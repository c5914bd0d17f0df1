"""Signed, encrypted bundles: what a branch sends the college Party office.

``format`` packs and strictly unpacks the file (age around a two-member tar of
``bundle.json`` and ``bundle.json.minisig``) and checks the JSON schema;
``export`` builds a branch's bundle; the office's importer lives in
``branchtool.office``.
"""
