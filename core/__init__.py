"""Nadi core: the clinic record, its services, search and clinical logic. No Qt, no sync."""

__version__ = "0.1.0"
