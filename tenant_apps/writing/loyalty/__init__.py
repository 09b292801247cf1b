"""Loyalty points, tiers and redemptions of a writing site."""
