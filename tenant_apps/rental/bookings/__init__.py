"""Bookings of a rental site: stays priced once, never overlapping, paid by card, refunded, paid out."""
