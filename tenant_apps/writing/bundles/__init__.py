"""Class bundles and express classes of a writing site."""
