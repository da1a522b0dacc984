"""Resource handlers, one module per Bling area."""
