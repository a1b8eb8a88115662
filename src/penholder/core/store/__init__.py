"""The store: git objects and refs, commits written and read, the version cache, key files."""
