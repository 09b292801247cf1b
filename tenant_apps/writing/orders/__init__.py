"""The order marketplace of a writing site: orders from placement and payment to completion."""
