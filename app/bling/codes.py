"""Bling error field codes Ponte relies on (shared by the client, the engine and the simulator).

Launching stock twice is refused by Bling with a validation error; integrators report field
codes 61/66 for "already launched" (unverified against a live account, see the reference).
"""

STOCK_ALREADY_LAUNCHED = 61
STOCK_ALREADY_LAUNCHED_ALT = 66
STOCK_NOT_LAUNCHED = 67  # reversal of an order whose stock was never launched (simulator's code)
INVALID_PAYMENT_FORM = 12
