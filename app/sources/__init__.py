"""Where sales come from: the PDV's NFC-e XML files."""
