"""Use cases: load from the store → call core → save (every write audited by the store). Pages call only these."""
