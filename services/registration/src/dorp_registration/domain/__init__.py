"""Pure registration logic: parsing partner input, region rules, stable ids, records."""
