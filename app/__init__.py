"""Ponte: pushes PDV sales (NFC-e XML) to the Bling ERP (API v3)."""

__version__ = "0.1.0"
