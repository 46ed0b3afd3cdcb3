"""Tenants (companies) and the one mechanism that scopes every query to a tenant."""
