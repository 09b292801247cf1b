"""The store's returns: requested by buyers, inspected, approved (refund, restock, penalty) or rejected."""
