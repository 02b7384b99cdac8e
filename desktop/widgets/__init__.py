"""Reusable widgets the desks share."""
