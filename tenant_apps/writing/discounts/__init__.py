"""Discount codes and campaigns of a writing site."""
