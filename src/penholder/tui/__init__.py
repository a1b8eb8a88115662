"""The Textual app of Penholder, over `penholder.core`."""
