"""The sync engine: catalogue pull, resolver, mappings, outbox and the engine cycle."""
