"""What every Switchboard HTTP service shares: the app factory, errors, auth and streams."""
