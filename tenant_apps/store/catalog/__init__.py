"""The store's catalog: categories (a tree), brands with approval, products with images, discounts
and sale events, search and filters."""
