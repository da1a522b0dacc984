"""The pages (tabs) of the main window."""
