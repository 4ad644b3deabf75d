"""Dorp notifications: tells people what concerns them (skeleton: e-mail on a proposed match)."""
