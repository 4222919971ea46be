"""The records the processes act on: worker records and accounts (users, roles, org units, signing
in and out)."""
