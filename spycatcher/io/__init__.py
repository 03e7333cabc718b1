"""Reading and writing records: one module per source format, all yielding contract objects."""
