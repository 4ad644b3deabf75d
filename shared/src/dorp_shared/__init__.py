"""Dorp's common library: what two or more services need lives here, once."""
