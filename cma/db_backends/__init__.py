"""Database backends: Django's own, with what the portal changes about them."""
