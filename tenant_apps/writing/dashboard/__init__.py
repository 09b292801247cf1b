"""Dashboards of a writing site (``GET /api/v1/dashboard/``): one section per role the caller holds."""
