"""The `penholder` command line: one module per command group, over `penholder.core`."""
