"""The rental site's daily report: properties added and bookings made, e-mailed to the admins."""
