"""Property listings of a rental site: hosts' properties, amenities, photos and blocked dates."""
