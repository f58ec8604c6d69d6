"""`make bench`: Switchboard's speed measured against the budgets in the architecture."""
