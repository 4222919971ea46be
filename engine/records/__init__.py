"""The records the processes act on: worker records and accounts (users, roles, org units, access tokens,
signing in and out)."""
