"""How messages reach registration's handlers."""
