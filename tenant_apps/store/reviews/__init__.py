"""The store's reviews: verified buyers rate a product once per order."""
