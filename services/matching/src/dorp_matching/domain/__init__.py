"""Pure matching logic: who may be proposed to whom, how well they fit, and why."""
