"""Settings, policy numbers and the role table; see settings.py, policy.py, roles.py."""
