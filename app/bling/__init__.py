"""Bling ERP API v3: OAuth2 (auth.py), transport with throttle/retries/errors (client.py),
typed calls (api.py)."""
