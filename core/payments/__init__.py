"""Taking payment without a connection at the desk: payment requests a patient's own phone completes."""
