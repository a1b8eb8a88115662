"""Printable documents: the accord certificate and redlines, as Markdown, HTML and PDF."""
