"""Blog posts and service pages (the site's content) of a writing site."""
