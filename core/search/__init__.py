"""Patient search: what a receptionist types, matched the way Indian names are actually written."""
