"""Order options and pricing of a writing site: the dropdowns an order is placed with (paper
types, subjects, academic levels, formatting styles, languages), the page-rate table, the extra
services and the pricing settings, all per site and edited by its admins; ``pricing.quote`` is the
one place an order is priced."""
