"""Pure reporting logic: periods, facts, figures with small-count suppression, rendering."""
