"""The store's carts, orders paid from the wallet in escrow, completion with seller settlement, and
delivery with proof."""
