"""One module per `ponte-bling` subcommand; each exposes register(subparsers)."""
