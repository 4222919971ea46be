"""Reads: what pages, the API and exports show. Nothing here changes or commits anything."""
