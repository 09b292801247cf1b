"""Reviews of orders, writers and the website, moderated of a writing site."""
