"""Customer inquiries of a rental site, handled by customer-service agents."""
