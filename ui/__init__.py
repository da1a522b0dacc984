"""The desktop app (PySide6): window, tray icon, pages and table models over the local store."""
