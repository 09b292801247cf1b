"""Mass e-mail campaigns to audiences, with unsubscribe of a writing site."""
