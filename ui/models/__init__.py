"""Qt table models over the local store: each re-queries on `refresh()`."""
