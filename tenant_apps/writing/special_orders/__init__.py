"""Special orders quoted by an admin and paid in installments of a writing site."""
