"""The I/O and trust core of Penholder. Never imports textual, rich or click."""
