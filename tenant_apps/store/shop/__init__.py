"""The store's site settings, buyers' delivery locations and sellers' points and ranks."""
