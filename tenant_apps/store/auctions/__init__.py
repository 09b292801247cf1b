"""The store's auctions: admin-approved, bids held in escrow, anti-sniping, an order for the winner."""
