"""Referral codes and rewards of a writing site."""
