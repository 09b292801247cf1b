"""The rental site's settings: the commission, the daily report's hour and the site's time zone."""
