"""Writers' fines and their appeals of a writing site."""
