"""Dorp reporting: projects every event into counts and renders the region's report."""
